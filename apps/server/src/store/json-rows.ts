import { getTableColumns, is, type SQL, sql } from 'drizzle-orm';
import { type PgColumn, PgTable } from 'drizzle-orm/pg-core';

// Rows of other tables carried inside one statement's result as JSON (json_agg of rowJson), so that a hot path reads
// what it needs in one round trip; fromJson maps them back through each column's own driver mapping.

/** A table's columns, or some of them by property name. */
type Columns = PgTable | Record<string, PgColumn>;
const columnsOf = (source: Columns) => (is(source, PgTable) ? getTableColumns(source) : source);

/** A JSON object of a row's columns (all of a table's, or those given); bigints as text, so snowflakes keep every digit. */
export function rowJson(source: Columns): SQL {
  const parts = Object.values(columnsOf(source)).map((c) =>
    c.getSQLType() === 'bigint'
      ? sql`${sql.raw(`'${c.name}'`)}, ${c}::text`
      : sql`${sql.raw(`'${c.name}'`)}, ${c}`,
  );
  return sql`json_build_object(${sql.join(parts, sql`, `)})`;
}

/** Maps rowJson's objects back into rows, through each column's own driver mapping. */
export function fromJson<T>(source: Columns, list: Array<Record<string, unknown>>): T[] {
  const columns = Object.entries(columnsOf(source));
  return list.map((o) => {
    const row: Record<string, unknown> = {};
    for (const [key, c] of columns) {
      const v = o[c.name];
      row[key] = v === null || v === undefined ? null : c.mapFromDriverValue(v);
    }
    return row as T;
  });
}

/** A subquery's `json_agg` as a column: its JSON array, or `[]` when it finds no rows. */
export function jsonList<T>(aggregate: SQL): SQL<T[]> {
  return sql<T[]>`coalesce((${aggregate}), '[]'::json)`;
}
