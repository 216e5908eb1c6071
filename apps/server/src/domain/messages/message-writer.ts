import { sql } from 'drizzle-orm';
import { type DbOrTx, preparedStatement } from '../../store/db';
import { messages } from '../../store/schema';
import { type MessageRow, messageColumns } from './messages.wire';

/** The columns a new message is written with; the others keep their defaults. */
const writtenKeys = [
  'channelId',
  'id',
  'guildId',
  'authorId',
  'type',
  'content',
  'tts',
  'mentionEveryone',
  'mentionUserIds',
  'mentionRoleIds',
  'mentionChannelIds',
  'flags',
  'nonce',
  'embeds',
  'components',
  'stickerItems',
  'referenceChannelId',
  'referenceMessageId',
  'referenceGuildId',
  'webhookId',
  'webhookName',
  'webhookAvatar',
  'webhookAvatarUrl',
  'applicationId',
  'interactionMetadata',
] as const;
/** Who a webhook's message is shown as, and the interaction an application's answer is for; absent on users' messages. */
type OptionalKeys =
  | 'webhookId'
  | 'webhookName'
  | 'webhookAvatar'
  | 'webhookAvatarUrl'
  | 'applicationId'
  | 'interactionMetadata';
export type NewMessage = Pick<MessageRow, Exclude<(typeof writtenKeys)[number], OptionalKeys>> &
  Partial<Pick<MessageRow, OptionalKeys>>;
const writtenColumns = writtenKeys.map((key) => [key, messages[key].name] as const);

/**
 * INSERT of any number of messages, prepared once: the rows arrive as one JSON array and come back as stored (jsonb
 * columns normalised). The trigger keeping `last_message_id` locks their channels in id order (migration 0003).
 */
const insertRows = preparedStatement('message_insert_rows', (db) => {
  const names = sql.raw(writtenColumns.map(([, name]) => name).join(', '));
  const returned = sql.raw(
    Object.values(messageColumns)
      .map((c) => c.name)
      .join(', '),
  );
  // The statement is named like the table, so the outer select reads the inserted rows with the table's own columns
  // and driver mappings (inside its own definition the name is still the table).
  const inserted = db.$with('messages', {}).as(
    sql`insert into messages (${names}) select ${names}
        from json_populate_recordset(null::messages, ${sql.placeholder('rows')}::json)
        order by channel_id, id returning ${returned}`,
  );
  return db.with(inserted).select(messageColumns).from(messages);
});

/** Writes `rows` in one statement; returns the stored rows in the order given. */
export async function insertMessages(db: DbOrTx, rows: NewMessage[]): Promise<MessageRow[]> {
  const json = JSON.stringify(
    rows.map((row) => Object.fromEntries(writtenColumns.map(([key, name]) => [name, row[key]]))),
  );
  const stored = new Map<string, MessageRow>();
  for (const r of await insertRows(db).execute({ rows: json })) stored.set(r.id, r);
  return rows.map((row) => stored.get(row.id)!);
}

/** At most this many messages in one statement (a few megabytes of JSON parameter at worst). */
const MAX_BATCH = 100;
/** At most this many batch statements in flight; messages arriving meanwhile wait to go in the next ones. */
const MAX_IN_FLIGHT = 4;

interface Waiting {
  row: NewMessage;
  resolve(row: MessageRow): void;
  reject(err: unknown): void;
}

/**
 * Writes messages that need no other row beside them, coalesced (ADR 0014): the messages requested in the same turn
 * of the event loop, or while earlier batches are in flight, go to PostgreSQL in one statement and one commit.
 * Each caller is answered only once its message is committed. When a batch fails, its messages are written again
 * one by one, so that only the message at fault fails.
 */
export class MessageWriter {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly db: DbOrTx) {}

  write(row: NewMessage): Promise<MessageRow> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.waiting.length && this.inFlight < MAX_IN_FLIGHT) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    try {
      const stored = await insertMessages(
        this.db,
        batch.map((w) => w.row),
      );
      for (let i = 0; i < batch.length; i++) batch[i].resolve(stored[i]);
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      // Nothing of the batch was written: each message is tried alone, and only the one at fault fails.
      await Promise.all(
        batch.map((w) => insertMessages(this.db, [w.row]).then(([row]) => w.resolve(row), w.reject)),
      );
    }
  }
}
