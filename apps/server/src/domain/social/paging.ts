import { Limits } from '@hearth/protocol';
import { and, asc, desc, gt, lt, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** Mastodon's paging parameters: ids are snowflakes, so they page by time. */
export interface PageQuery {
  max_id?: string;
  since_id?: string;
  min_id?: string;
  limit?: number;
}

/** A page and the ids its Link header pages from (null when the page is empty). */
export interface Page<T> {
  items: T[];
  /** The oldest id on the page (next page: max_id) and the newest (previous page: min_id). */
  oldest: string | null;
  newest: string | null;
}

/**
 * The keyset condition and order for a page over `column`: newest first below max_id and above since_id, or, with
 * min_id, the page just above it (read oldest first, then reversed by `finishPage`).
 */
export function pageQuery(
  column: PgColumn,
  q: PageQuery,
  bounds: { fallback: number; max: number } = {
    fallback: Limits.socialPageDefault,
    max: Limits.socialPageMax,
  },
) {
  const limit = Math.min(Math.max(q.limit ?? bounds.fallback, 1), bounds.max);
  const conditions: SQL[] = [];
  if (q.max_id) conditions.push(lt(column, q.max_id));
  if (q.since_id) conditions.push(gt(column, q.since_id));
  const ascending = q.min_id !== undefined && q.since_id === undefined;
  if (q.min_id) conditions.push(gt(column, q.min_id));
  return {
    where: conditions.length ? and(...conditions) : undefined,
    orderBy: ascending ? asc(column) : desc(column),
    limit,
    ascending,
  };
}

/** Puts a page newest first and names its ends. */
export function finishPage<T>(rows: T[], id: (row: T) => string, ascending: boolean): Page<T> {
  const items = ascending ? [...rows].reverse() : rows;
  return {
    items,
    newest: items.length ? id(items[0]) : null,
    oldest: items.length ? id(items[items.length - 1]) : null,
  };
}
