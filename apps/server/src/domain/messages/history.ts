import { Limits, type Message, MessageType } from '@hearth/protocol';
import { type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, preparedStatement } from '../../store/db';
import { fromJson, jsonList } from '../../store/json-rows';
import { attachments, users } from '../../store/schema';
import { publicUserColumns } from '../users/users.wire';
import type { AttachmentRow, AttachmentUrls } from './attachments';
import {
  type AmongShown,
  buildMessages,
  filesJson,
  peopleJson,
  reactionCountsJson,
  type WireMessageRow,
  wireMessageColumns,
} from './messages.wire';

const wireColumns = Object.entries(wireMessageColumns);
const columnList = sql.raw(wireColumns.map(([, c]) => c.name).join(', '));

/** The wire columns of the message rows of `alias` as one JSON array, in wireColumns' order; bigints as text. */
function messageJson(alias: string): SQL {
  return sql.raw(
    `json_build_array(${wireColumns
      .map(([, c]) => `${alias}.${c.name}${c.getSQLType() === 'bigint' ? '::text' : ''}`)
      .join(', ')})`,
  );
}

const placeholder = sql.placeholder;
const maxPage = sql.raw(String(Limits.historyPageMax));

/**
 * A history page in one statement: up to `olderLimit` messages before `before` and up to `newerLimit` after
 * `after` (a plain page sets the other limit to 0), newest first, with the messages their replies refer to, the
 * page's files and reaction counts (`me` for `viewerId`) and everyone those messages name.
 */
const pageStatement = preparedStatement('history_page', (db) => {
  // Each half is limited twice: by the largest page, a constant the planner can estimate rows from, and then by its
  // parameter. With only the parameter PostgreSQL guesses a tenth of the channel, finds its generic plan dearer than
  // planning each execution, and so plans every page again (about 0.5 ms of its CPU).
  const page = db.$with('page', {}).as(
    sql`(select * from (select ${columnList} from messages
          where channel_id = ${placeholder('channelId')} and id < ${placeholder('before')}
          order by id desc limit ${maxPage}) older limit ${placeholder('olderLimit')})
        union all
        (select * from (select ${columnList} from messages
          where channel_id = ${placeholder('channelId')} and id > ${placeholder('after')}
          order by id limit ${maxPage}) newer limit ${placeholder('newerLimit')})`,
  );
  // Replies are in the same channel as what they reply to.
  const referenced = db.$with('referenced', {}).as(
    sql`select ${columnList} from messages where channel_id = ${placeholder('channelId')}
          and id in (select reference_message_id from page where type = ${sql.raw(String(MessageType.Reply))})`,
  );
  const shown = db
    .$with('shown', {})
    .as(
      sql`select author_id, mention_user_ids from page union all select author_id, mention_user_ids from referenced`,
    );
  // Replied-to messages are shown with their files and reactions too.
  const inPage: AmongShown = (column) =>
    sql`${column} in (select id from page union all select id from referenced)`;
  return db
    .with(page, referenced, shown)
    .select({
      messages: jsonList<unknown[]>(
        sql`select json_agg(${messageJson('page')} order by page.id desc) from page`,
      ),
      referenced: jsonList<unknown[]>(sql`select json_agg(${messageJson('referenced')}) from referenced`),
      files: filesJson(inPage),
      counts: reactionCountsJson(inPage),
      people: peopleJson(
        sql`${users.id} = any(array(select author_id from shown
          union all select jsonb_array_elements_text(mention_user_ids)::bigint from shown))`,
      ),
    })
    .from(sql`(values (1)) as one (x)`);
});

/** A message row from messageJson's array: every wire column but the timestamp is already in its JS form. */
function fromMessageJson(values: unknown[]): WireMessageRow {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < wireColumns.length; i++) row[wireColumns[i][0]] = values[i];
  if (row.editedAt !== null) row.editedAt = new Date(row.editedAt as string);
  return row as WireMessageRow;
}

/** The keyset pages a history request reads: `limit` messages from the exclusive cursor on, or none. */
export interface HistoryRange {
  older: { before: string; limit: number };
  newer: { after: string; limit: number };
}

/** One page of a channel's history as Discord message objects, newest first, in one statement. */
export async function loadHistoryPage(
  db: DbOrTx,
  urls: AttachmentUrls,
  opts: { channelId: string; viewerId: string; range: HistoryRange },
): Promise<Message[]> {
  const { older, newer } = opts.range;
  const [row] = await pageStatement(db).execute({
    channelId: opts.channelId,
    before: older.before,
    olderLimit: older.limit,
    after: newer.after,
    newerLimit: newer.limit,
    viewerId: opts.viewerId,
  });
  return buildMessages(urls, row.messages.map(fromMessageJson), row.referenced.map(fromMessageJson), {
    files: fromJson<AttachmentRow>(attachments, row.files),
    counts: row.counts,
    people: fromJson(publicUserColumns, row.people),
  });
}
