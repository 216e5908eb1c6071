import { ChannelKind, type ChannelKindName } from '@hearth/protocol';
import { type AnyColumn, type SQL, sql } from 'drizzle-orm';

/**
 * `column in (…)` over the types of a channel kind (protocol's ChannelKind), written into the statement's text as
 * constants: a prepared statement stays one statement, and the kind's list stays in one place.
 */
export function channelTypeIn(column: AnyColumn | SQL, kind: ChannelKindName): SQL {
  return sql`${column} in (${sql.raw(ChannelKind[kind].join(', '))})`;
}
