import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { snowflakeFromTimestamp } from '@hearth/protocol';
import { inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { MessageWriter, type NewMessage } from '../../src/domain/messages/message-writer';
import { channels, messages } from '../../src/store/schema';
import { createGuild, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, testDb } from '../harness';

// Plain messages are written coalesced (ADR 0014): several callers' messages in one statement and one commit.

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

async function textChannels(g: TestGuild, n: number): Promise<string[]> {
  const ids = [g.textChannelId];
  while (ids.length < n) {
    const res = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: { name: `room-${ids.length}`, type: 0 },
    });
    assert.equal(res.status, 201, res.text);
    ids.push(res.body.id);
  }
  return ids;
}

function newMessage(id: bigint, content: string): NewMessage {
  return {
    channelId: '1',
    id: id.toString(),
    guildId: null,
    authorId: '1',
    type: 0,
    content,
    tts: false,
    mentionEveryone: false,
    mentionUserIds: [],
    mentionRoleIds: [],
    mentionChannelIds: [],
    flags: 0,
    nonce: null,
    embeds: [],
    components: [],
    stickerItems: [],
    referenceChannelId: null,
    referenceMessageId: null,
    referenceGuildId: null,
  };
}

/** Each channel's last_message_id is its newest message of `sent`, whichever statement wrote it. */
async function assertLastMessages(rooms: string[], sent: Array<{ id: string; channel_id: string }>) {
  const last = await h.app.database.db
    .select({ id: channels.id, last: channels.lastMessageId })
    .from(channels)
    .where(inArray(channels.id, rooms));
  assert.equal(last.length, rooms.length);
  for (const room of last) {
    const newest = sent
      .filter((m) => m.channel_id === room.id)
      .map((m) => BigInt(m.id))
      .reduce((a, b) => (a > b ? a : b));
    assert.equal(room.last, newest.toString(), `channel ${room.id}`);
  }
}

describe('coalesced message writes', () => {
  test('messages sent at once to several channels: each sender gets its own message, stored as told', async () => {
    const g = await createGuild(h);
    const rooms = await textChannels(g, 5);
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        h.api('POST', `/channels/${rooms[i % rooms.length]}/messages`, {
          token: g.owner.token,
          body: { content: `at once ${i}`, nonce: `n${i}` },
        }),
      ),
    );
    sent.forEach((res, i) => {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.content, `at once ${i}`);
      assert.equal(res.body.nonce, `n${i}`);
      assert.equal(res.body.channel_id, rooms[i % rooms.length]);
    });
    const ids = sent.map((r) => r.body.id as string);
    assert.equal(new Set(ids).size, 40);
    await assertLastMessages(
      rooms,
      sent.map((r) => r.body),
    );
    // And history shows what the senders were told.
    const page = await h.api('GET', `/channels/${rooms[1]}/messages?limit=100`, { token: g.owner.token });
    assert.deepEqual(
      page.body.map((m: any) => m.id).sort(),
      sent
        .map((r) => r.body)
        .filter((m) => m.channel_id === rooms[1])
        .map((m) => m.id)
        .sort(),
    );
  });

  test('messages written in one turn of the event loop go in one statement, answered in order', async () => {
    const g = await createGuild(h);
    const rooms = await textChannels(g, 5);
    const writer = new MessageWriter(h.app.database.db);
    const base = BigInt(snowflakeFromTimestamp(Date.now()));
    // Ids out of channel order, so that the statement's own ordering is exercised.
    const rows = Array.from({ length: 40 }, (_, i) => ({
      ...newMessage(base + BigInt(40 - i), `batch ${i}`),
      channelId: rooms[i % rooms.length],
      guildId: g.id,
      authorId: g.owner.id,
    }));
    const written = await Promise.all(rows.map((r) => writer.write(r)));
    assert.deepEqual(
      written.map((m) => [m.id, m.content, m.channelId]),
      rows.map((r) => [r.id, r.content, r.channelId]),
    );
    // Rows written by one statement share the transaction that wrote them.
    const stored = await h.app.database.db
      .select({ tx: sql<string>`xmin::text` })
      .from(messages)
      .where(
        inArray(
          messages.id,
          rows.map((r) => r.id),
        ),
      );
    assert.equal(stored.length, 40);
    assert.equal(new Set(stored.map((r) => r.tx)).size, 1);
    await assertLastMessages(
      rooms,
      rows.map((r) => ({ id: r.id, channel_id: r.channelId })),
    );
  });

  test('a message that cannot be written fails alone; the others of its batch are written', async () => {
    const writer = new MessageWriter(h.app.database.db);
    const base = BigInt(snowflakeFromTimestamp(Date.now()));
    const row = newMessage;
    // The same id twice in one batch: the statement fails as a whole, then each message is tried alone.
    const results = await Promise.allSettled([
      writer.write(row(base + 1n, 'first')),
      writer.write(row(base + 2n, 'twin a')),
      writer.write(row(base + 2n, 'twin b')),
      writer.write(row(base + 3n, 'last')),
    ]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[3].status, 'fulfilled');
    const fulfilled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    assert.equal(fulfilled.length, 3);
    assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
    const stored = await h.app.database.db
      .select({ id: messages.id, content: messages.content })
      .from(messages)
      .where(
        inArray(
          messages.id,
          [1n, 2n, 3n].map((n) => (base + n).toString()),
        ),
      );
    assert.equal(stored.length, 3);
    // What each caller was told is what is stored.
    for (const m of fulfilled)
      assert.equal(stored.find((s) => s.id === m.id)?.content, m.content, `message ${m.id}`);
  });

  test('a reorder and messages to the same channels, all waiting on one channel: no deadlock', {
    skip: testDb !== 'postgres' && 'needs concurrent connections',
  }, async () => {
    const g = await createGuild(h);
    const rooms = await textChannels(g, 8);
    const sorted = [...rooms].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    const url = h.app.config.databaseUrl!;
    const holder = new pg.Client({ connectionString: url });
    const watcher = new pg.Client({ connectionString: url });
    await holder.connect();
    await watcher.connect();
    const deadlocks = async () =>
      Number(
        (await watcher.query('select deadlocks from pg_stat_database where datname = current_database()'))
          .rows[0].deadlocks,
      );
    const waiting = async () =>
      Number(
        (
          await watcher.query(
            `select count(*) from pg_stat_activity
               where datname = current_database() and wait_event_type = 'Lock'`,
          )
        ).rows[0].count,
      );
    const until = async (n: number) => {
      for (let i = 0; i < 200 && (await waiting()) < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    try {
      const before = await deadlocks();
      // Another transaction holds the middle channel, so that the writers below queue up holding what they got.
      await holder.query('begin');
      await holder.query('select id from channels where id = $1 for update', [sorted[4]]);
      // The reorder names the channels from the last id to the first.
      const reorder = h.api('PATCH', `/guilds/${g.id}/channels`, {
        token: g.owner.token,
        body: [...sorted].reverse().map((id, position) => ({ id, position })),
      });
      await until(1);
      const posts = Array.from({ length: 16 }, (_, i) =>
        h.api('POST', `/channels/${sorted[i % sorted.length]}/messages`, {
          token: g.owner.token,
          body: { content: `queued ${i}` },
        }),
      );
      await until(2);
      await holder.query('commit');
      for (const res of [await reorder, ...(await Promise.all(posts))])
        assert.ok(res.status < 300, `${res.status} ${res.text}`);
      // PostgreSQL's statistics arrive once the backends report them.
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(await deadlocks(), before);
    } finally {
      await holder.end();
      await watcher.end();
    }
  });
});
