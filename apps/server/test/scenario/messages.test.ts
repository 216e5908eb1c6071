import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { eq } from 'drizzle-orm';
import { messages, users } from '../../src/store/schema';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

const send = (u: TestUser, channelId: string, body: Record<string, unknown>) =>
  h.api('POST', `/channels/${channelId}/messages`, { token: u.token, body });

describe('sending and reading', () => {
  test('a message is stored, returned in Discord shape and published once with guild_id and member', async () => {
    const g = await createGuild(h);
    const res = await send(g.owner, g.textChannelId, { content: 'hello world', nonce: 'n-1', tts: true });
    assert.equal(res.status, 200);
    const m = res.body;
    assert.equal(m.content, 'hello world');
    assert.equal(m.channel_id, g.textChannelId);
    assert.equal(m.author.id, g.owner.id);
    assert.equal(m.type, 0);
    assert.equal(m.nonce, 'n-1');
    assert.equal(m.tts, true);
    assert.equal(m.edited_timestamp, null);
    assert.ok(Math.abs(new Date(m.timestamp).getTime() - Date.now()) < 10_000);
    assert.deepEqual(
      [m.mentions, m.mention_roles, m.attachments, m.embeds, m.components],
      [[], [], [], [], []],
    );
    const events = h.events.filter((e) => e.t === 'MESSAGE_CREATE' && (e.d as any).id === m.id);
    assert.equal(events.length, 1);
    assert.equal(events[0].topic, `channel:${g.textChannelId}`);
    assert.equal((events[0].d as any).guild_id, g.id);
    assert.ok((events[0].d as any).member.joined_at);
    const channel = await h.api('GET', `/channels/${g.textChannelId}`, { token: g.owner.token });
    assert.equal(channel.body.last_message_id, m.id);
  });

  test('last_message_id follows every message written, system messages too, and stays when it is deleted', async () => {
    const g = await createGuild(h);
    const last = async (channelId: string) =>
      (await h.api('GET', `/channels/${channelId}`, { token: g.owner.token })).body.last_message_id;
    const first = (await send(g.owner, g.textChannelId, { content: 'one' })).body;
    assert.equal(await last(g.textChannelId), first.id);
    // Many writers at once: it ends on the newest, never on an older one.
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => send(g.owner, g.textChannelId, { content: `burst ${i}` })),
    );
    const newest = burst.map((r) => r.body.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))[11];
    assert.equal(await last(g.textChannelId), newest);
    // A pin writes a system message.
    assert.equal(
      (await h.api('PUT', `/channels/${g.textChannelId}/pins/${first.id}`, { token: g.owner.token })).status,
      204,
    );
    const history = await h.api('GET', `/channels/${g.textChannelId}/messages?limit=1`, {
      token: g.owner.token,
    });
    assert.equal(history.body[0].type, 6);
    assert.equal(await last(g.textChannelId), history.body[0].id);
    // Deleting it does not move last_message_id back (as Discord: it may name a deleted message).
    await h.api('DELETE', `/channels/${g.textChannelId}/messages/${history.body[0].id}`, {
      token: g.owner.token,
    });
    assert.equal(await last(g.textChannelId), history.body[0].id);
  });

  test('a bulk insert of many messages moves each channel to its own newest, once per statement', async () => {
    const g = await createGuild(h);
    const other = (
      await h.api('POST', `/guilds/${g.id}/channels`, { token: g.owner.token, body: { name: 'other' } })
    ).body.id;
    const base = BigInt((await send(g.owner, g.textChannelId, { content: 'before' })).body.id);
    const rows = Array.from({ length: 500 }, (_, i) => ({
      channelId: i % 2 ? other : g.textChannelId,
      id: String(base + BigInt(i + 1)),
      guildId: g.id,
      authorId: g.owner.id,
      content: `imported ${i}`,
    }));
    await h.app.database.db.insert(messages).values(rows);
    const last = async (channelId: string) =>
      (await h.api('GET', `/channels/${channelId}`, { token: g.owner.token })).body.last_message_id;
    assert.equal(await last(g.textChannelId), String(base + 499n));
    assert.equal(await last(other), String(base + 500n));
  });

  test('empty and over-long messages are refused and nothing is written', async () => {
    const g = await createGuild(h);
    const empty = await send(g.owner, g.textChannelId, { content: '   ' });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.code, 50006);
    assert.equal((await send(g.owner, g.textChannelId, {})).body.code, 50006);
    const long = await send(g.owner, g.textChannelId, { content: 'x'.repeat(2001) });
    assert.equal(long.status, 400);
    assert.equal(long.body.code, 50035);
    assert.equal((await send(g.owner, g.voiceChannelId, { content: 'hi' })).status, 400);
    const history = await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: g.owner.token });
    assert.equal(history.body.filter((x: any) => x.type === 0).length, 0);
  });

  test('history pages newest first with before, after and around', async () => {
    const g = await createGuild(h);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push((await send(g.owner, g.textChannelId, { content: `m${i}` })).body.id);
    const all = await h.api('GET', `/channels/${g.textChannelId}/messages?limit=100`, {
      token: g.owner.token,
    });
    const contents = all.body.filter((m: any) => m.type === 0).map((m: any) => m.content);
    assert.deepEqual(
      contents,
      Array.from({ length: 12 }, (_, i) => `m${11 - i}`),
    );
    const before = await h.api('GET', `/channels/${g.textChannelId}/messages?before=${ids[5]}&limit=3`, {
      token: g.owner.token,
    });
    assert.deepEqual(
      before.body.map((m: any) => m.content),
      ['m4', 'm3', 'm2'],
    );
    const afterPage = await h.api('GET', `/channels/${g.textChannelId}/messages?after=${ids[5]}&limit=3`, {
      token: g.owner.token,
    });
    assert.deepEqual(
      afterPage.body.map((m: any) => m.content),
      ['m8', 'm7', 'm6'],
    );
    const around = await h.api('GET', `/channels/${g.textChannelId}/messages?around=${ids[5]}&limit=5`, {
      token: g.owner.token,
    });
    assert.deepEqual(
      around.body.map((m: any) => m.content),
      ['m7', 'm6', 'm5', 'm4', 'm3'],
    );
    const one = await h.api('GET', `/channels/${g.textChannelId}/messages/${ids[3]}`, {
      token: g.owner.token,
    });
    assert.equal(one.body.content, 'm3');
    for (const q of ['limit=0', 'limit=101', 'before=abc']) {
      assert.equal(
        (await h.api('GET', `/channels/${g.textChannelId}/messages?${q}`, { token: g.owner.token })).status,
        400,
        q,
      );
    }
    assert.equal(
      (
        await h.api('GET', `/channels/${g.textChannelId}/messages/123456789012345678`, {
          token: g.owner.token,
        })
      ).body.code,
      10008,
    );
  });

  test('a history page shows each message as reading it alone does: replies, reactions, files, mentions, edits, people gone', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const gone = await join(h, g);
    const c = g.textChannelId;
    const post = async (u: TestUser, body: Record<string, unknown>) => {
      const res = await send(u, c, body);
      assert.equal(res.status, 200);
      return res.body;
    };
    const first = await post(m, { content: 'first' });
    await post(gone, { content: `from someone who leaves, naming <@${m.id}>` });
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'two files' }));
    form.append('files[0]', new Blob(['hello']), 'a.txt');
    form.append('files[1]', new Blob(['world']), 'b.txt');
    const withFiles = await (
      await fetch(`${h.url}/api/v10/channels/${c}/messages`, {
        method: 'POST',
        headers: { authorization: m.token },
        body: form,
      })
    ).json();
    assert.equal(withFiles.attachments.length, 2);
    const mentioning = await post(g.owner, { content: `hi <@${m.id}> and <@${gone.id}>`, nonce: 'n-7' });
    await post(m, { content: 're first', message_reference: { message_id: first.id } });
    await post(g.owner, { content: 're files', message_reference: { message_id: withFiles.id } });
    const doomed = await post(m, { content: 'soon deleted' });
    await post(g.owner, { content: 're deleted', message_reference: { message_id: doomed.id } });
    await post(gone, {
      content: 're by someone who leaves',
      message_reference: { message_id: mentioning.id },
    });
    const newest = await post(m, { content: 'newest' });
    const del = await h.api('DELETE', `/channels/${c}/messages/${doomed.id}`, { token: m.token });
    assert.equal(del.status, 204);
    const edit = await h.api('PATCH', `/channels/${c}/messages/${mentioning.id}`, {
      token: g.owner.token,
      body: { content: `edited <@${m.id}> <@${gone.id}>` },
    });
    assert.equal(edit.status, 200);
    const react = async (u: TestUser, id: string, emoji: string) =>
      assert.equal(
        (
          await h.api('PUT', `/channels/${c}/messages/${id}/reactions/${encodeURIComponent(emoji)}/@me`, {
            token: u.token,
          })
        ).status,
        204,
      );
    await react(m, first.id, '👍');
    await react(g.owner, first.id, '👍');
    await react(g.owner, first.id, '🔥');
    await react(g.owner, withFiles.id, '🔥');
    await h.app.database.db.delete(users).where(eq(users.id, gone.id));

    // Signed URLs carry their expiry in seconds: two reads may fall on either side of one.
    const unsigned = (v: unknown) =>
      JSON.parse(JSON.stringify(v).replace(/\?ex=[0-9a-f]+&hm=[0-9a-f]+/g, '?signed'));
    const page = async (q: string) => {
      const res = await h.api('GET', `/channels/${c}/messages?${q}`, { token: m.token });
      assert.equal(res.status, 200, q);
      return res.body as any[];
    };
    const all = await page('limit=100');
    const shown = all.filter((x) => x.type !== 7);
    assert.deepEqual(
      shown.map((x) => x.content),
      [
        'newest',
        're by someone who leaves',
        're deleted',
        're files',
        're first',
        `edited <@${m.id}> <@${gone.id}>`,
        'two files',
        `from someone who leaves, naming <@${m.id}>`,
        'first',
      ],
    );
    const [, byGoneReply, toDeleted, toFiles, toFirst, edited, files, byGone, oldest] = shown;
    assert.equal(byGone.author.username, 'deleted_user');
    assert.equal(byGoneReply.author.username, 'deleted_user');
    assert.deepEqual(
      edited.mentions.map((u: any) => u.id),
      [m.id],
    );
    assert.ok(edited.edited_timestamp);
    assert.equal(edited.nonce, 'n-7');
    assert.equal(toDeleted.referenced_message, null);
    assert.equal(toFirst.referenced_message.id, first.id);
    assert.deepEqual(
      toFirst.referenced_message.reactions.map((r: any) => [r.emoji.name, r.count, r.me]),
      [
        ['👍', 2, true],
        ['🔥', 1, false],
      ],
    );
    assert.deepEqual(
      toFiles.referenced_message.attachments.map((a: any) => a.filename),
      ['a.txt', 'b.txt'],
    );
    assert.deepEqual(
      files.attachments.map((a: any) => a.filename),
      ['a.txt', 'b.txt'],
    );
    assert.match(files.attachments[0].url, /\/attachments\/.+\/a\.txt\?ex=[0-9a-f]+&hm=[0-9a-f]{32}$/);
    assert.deepEqual(
      oldest.reactions.map((r: any) => [r.emoji.name, r.count, r.me]),
      [
        ['👍', 2, true],
        ['🔥', 1, false],
      ],
    );
    // Every page shape, against each message read alone; a replied-to message comes with its files and reactions
    // whether or not the page holds it too.
    for (const q of [
      'limit=100',
      `before=${newest.id}&limit=4`,
      `after=${first.id}&limit=3`,
      `around=${toFiles.id}&limit=5`,
      `around=${oldest.id}&limit=2`,
    ]) {
      const got = await page(q);
      assert.ok(got.length > 0, q);
      for (const x of got) {
        const alone = (await h.api('GET', `/channels/${c}/messages/${x.id}`, { token: m.token })).body;
        assert.deepEqual(unsigned(x), unsigned(alone), `${q}: ${x.content}`);
      }
    }
    assert.deepEqual(
      (await page(`around=${toFiles.id}&limit=5`)).map((x) => x.content),
      ['re by someone who leaves', 're deleted', 're files', 're first', `edited <@${m.id}> <@${gone.id}>`],
    );
  });

  test('50 clients posting at once all get distinct increasing ids, and all are in history', async () => {
    const g = await createGuild(h);
    const users = [g.owner];
    for (let i = 0; i < 4; i++) users.push(await join(h, g));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send(users[i % users.length], g.textChannelId, { content: `c${i}` }),
      ),
    );
    assert.ok(results.every((r) => r.status === 200));
    const ids = results.map((r) => BigInt(r.body.id));
    assert.equal(new Set(ids).size, 50);
    const history = await h.api('GET', `/channels/${g.textChannelId}/messages?limit=100`, {
      token: g.owner.token,
    });
    const stored = history.body
      .filter((m: any) => m.type === 0)
      .map((m: any) => m.content)
      .sort();
    assert.deepEqual(stored, Array.from({ length: 50 }, (_, i) => `c${i}`).sort());
    const historyIds = history.body.map((m: any) => BigInt(m.id));
    assert.deepEqual(
      historyIds,
      [...historyIds].sort((a, b) => (a > b ? -1 : 1)),
    );
  });

  test('enforce_nonce returns the first message for a repeated nonce, even when racing', async () => {
    const g = await createGuild(h);
    const body = { content: 'once', nonce: 'retry-42', enforce_nonce: true };
    const [a, b, c] = await Promise.all([
      send(g.owner, g.textChannelId, body),
      send(g.owner, g.textChannelId, body),
      send(g.owner, g.textChannelId, body),
    ]);
    assert.equal(a.body.id, b.body.id);
    assert.equal(b.body.id, c.body.id);
    const history = await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: g.owner.token });
    assert.equal(history.body.filter((m: any) => m.content === 'once').length, 1);
    const plain = await send(g.owner, g.textChannelId, { content: 'once', nonce: 'retry-42' });
    assert.notEqual(plain.body.id, a.body.id, 'without enforce_nonce a nonce is only echoed');
  });

  test('joining posts a USER_JOIN system message in the system channel', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const history = await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: m.token });
    const joinMessage = history.body.find((x: any) => x.type === 7);
    assert.equal(joinMessage.author.id, m.id);
  });
});

describe('replies and mentions', () => {
  test('a reply is type 19 with message_reference and referenced_message; it pings the replied author', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const original = (await send(m, g.textChannelId, { content: 'question?' })).body;
    const reply = await send(g.owner, g.textChannelId, {
      content: 'answer',
      message_reference: { message_id: original.id },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.type, 19);
    assert.deepEqual(reply.body.message_reference, {
      type: 0,
      channel_id: g.textChannelId,
      message_id: original.id,
      guild_id: g.id,
    });
    assert.equal(reply.body.referenced_message.id, original.id);
    assert.deepEqual(
      reply.body.mentions.map((u: any) => u.id),
      [m.id],
    );
    const quiet = await send(g.owner, g.textChannelId, {
      content: 'quiet',
      message_reference: { message_id: original.id },
      allowed_mentions: { parse: [] },
    });
    assert.deepEqual(quiet.body.mentions, []);
  });

  test('replies must point at a message of the same channel, and need READ_MESSAGE_HISTORY', async () => {
    const g = await createGuild(h);
    const other = (
      await h.api('POST', `/guilds/${g.id}/channels`, { token: g.owner.token, body: { name: 'other' } })
    ).body;
    const there = (await send(g.owner, other.id, { content: 'elsewhere' })).body;
    assert.equal(
      (await send(g.owner, g.textChannelId, { content: 'x', message_reference: { message_id: there.id } }))
        .status,
      400,
    );
    assert.equal(
      (
        await send(g.owner, g.textChannelId, {
          content: 'x',
          message_reference: { message_id: there.id, channel_id: other.id },
        })
      ).status,
      400,
    );
    const lenient = await send(g.owner, g.textChannelId, {
      content: 'x',
      message_reference: { message_id: '123456789012345678', fail_if_not_exists: false },
    });
    assert.equal(lenient.status, 200);
    const m = await join(h, g);
    const here = (await send(g.owner, g.textChannelId, { content: 'here' })).body;
    await h.api('PUT', `/channels/${g.textChannelId}/permissions/${m.id}`, {
      token: g.owner.token,
      body: { type: 1, deny: P.READ_MESSAGE_HISTORY.toString() },
    });
    assert.equal(
      (await send(m, g.textChannelId, { content: 'x', message_reference: { message_id: here.id } })).status,
      403,
    );
    assert.deepEqual(
      (await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: m.token })).body,
      [],
    );
    assert.equal(
      (await h.api('GET', `/channels/${g.textChannelId}/messages/${here.id}`, { token: m.token })).status,
      403,
    );
  });

  test('mentions follow allowed_mentions, MENTION_EVERYONE and role mentionability', async () => {
    const g = await createGuild(h);
    const a = await join(h, g);
    const b = await join(h, g);
    const loud = (
      await h.api('POST', `/guilds/${g.id}/roles`, {
        token: g.owner.token,
        body: { name: 'loud', mentionable: true },
      })
    ).body;
    const quiet = (
      await h.api('POST', `/guilds/${g.id}/roles`, { token: g.owner.token, body: { name: 'quiet' } })
    ).body;
    // @everyone loses MENTION_EVERYONE.
    const everyone = (await h.api('GET', `/guilds/${g.id}/roles/${g.id}`, { token: g.owner.token })).body;
    await h.api('PATCH', `/guilds/${g.id}/roles/${g.id}`, {
      token: g.owner.token,
      body: { permissions: (BigInt(everyone.permissions) & ~P.MENTION_EVERYONE).toString() },
    });
    const content = `hi <@${a.id}> <@!${b.id}> <@&${loud.id}> <@&${quiet.id}> @everyone <#${g.textChannelId}>`;
    const byMember = (await send(a, g.textChannelId, { content })).body;
    assert.deepEqual(byMember.mentions.map((u: any) => u.id).sort(), [a.id, b.id].sort());
    assert.deepEqual(byMember.mention_roles, [loud.id]);
    assert.equal(byMember.mention_everyone, false);
    const byOwner = (await send(g.owner, g.textChannelId, { content })).body;
    assert.deepEqual(byOwner.mention_roles.sort(), [loud.id, quiet.id].sort());
    assert.equal(byOwner.mention_everyone, true);
    const limited = (
      await send(g.owner, g.textChannelId, { content, allowed_mentions: { parse: [], users: [b.id] } })
    ).body;
    assert.deepEqual(
      limited.mentions.map((u: any) => u.id),
      [b.id],
    );
    assert.deepEqual(limited.mention_roles, []);
    assert.equal(limited.mention_everyone, false);
  });
});

describe('editing and deleting', () => {
  test('only the author edits; edited_timestamp is set and MESSAGE_UPDATE published', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const msg = (await send(m, g.textChannelId, { content: 'tpyo' })).body;
    const other = await h.api('PATCH', `/channels/${g.textChannelId}/messages/${msg.id}`, {
      token: g.owner.token,
      body: { content: 'hacked' },
    });
    assert.equal(other.status, 403);
    assert.equal(other.body.code, 50005);
    const res = await h.api('PATCH', `/channels/${g.textChannelId}/messages/${msg.id}`, {
      token: m.token,
      body: { content: 'typo' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.content, 'typo');
    assert.ok(res.body.edited_timestamp);
    assert.ok(h.events.some((e) => e.t === 'MESSAGE_UPDATE' && (e.d as any).content === 'typo'));
    assert.equal(
      (
        await h.api('PATCH', `/channels/${g.textChannelId}/messages/${msg.id}`, {
          token: m.token,
          body: { content: '' },
        })
      ).body.code,
      50006,
    );
  });

  test('the author or MANAGE_MESSAGES deletes; MESSAGE_DELETE is published', async () => {
    const g = await createGuild(h);
    const a = await join(h, g);
    const b = await join(h, g);
    const msg = (await send(a, g.textChannelId, { content: 'mine' })).body;
    assert.equal(
      (await h.api('DELETE', `/channels/${g.textChannelId}/messages/${msg.id}`, { token: b.token })).status,
      403,
    );
    assert.equal(
      (await h.api('DELETE', `/channels/${g.textChannelId}/messages/${msg.id}`, { token: a.token })).status,
      204,
    );
    assert.equal(
      (await h.api('GET', `/channels/${g.textChannelId}/messages/${msg.id}`, { token: a.token })).status,
      404,
    );
    assert.ok(
      h.events.some(
        (e) => e.t === 'MESSAGE_DELETE' && (e.d as any).id === msg.id && (e.d as any).guild_id === g.id,
      ),
    );
    const second = (await send(a, g.textChannelId, { content: 'again' })).body;
    await grant(h, g, b, P.MANAGE_MESSAGES);
    assert.equal(
      (await h.api('DELETE', `/channels/${g.textChannelId}/messages/${second.id}`, { token: b.token }))
        .status,
      204,
    );
  });

  test('bulk delete: MANAGE_MESSAGES, 2–100 ids, nothing older than 14 days', async () => {
    const g = await createGuild(h);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await send(g.owner, g.textChannelId, { content: `b${i}` })).body.id);
    const m = await join(h, g);
    assert.equal(
      (
        await h.api('POST', `/channels/${g.textChannelId}/messages/bulk-delete`, {
          token: m.token,
          body: { messages: ids },
        })
      ).status,
      403,
    );
    assert.equal(
      (
        await h.api('POST', `/channels/${g.textChannelId}/messages/bulk-delete`, {
          token: g.owner.token,
          body: { messages: [ids[0]] },
        })
      ).status,
      400,
    );
    const old = '175928847299117063';
    assert.equal(
      (
        await h.api('POST', `/channels/${g.textChannelId}/messages/bulk-delete`, {
          token: g.owner.token,
          body: { messages: [ids[0], old] },
        })
      ).body.code,
      50034,
    );
    assert.equal(
      (
        await h.api('POST', `/channels/${g.textChannelId}/messages/bulk-delete`, {
          token: g.owner.token,
          body: { messages: ids },
        })
      ).status,
      204,
    );
    const left = await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: g.owner.token });
    assert.ok(!left.body.some((x: any) => ids.includes(x.id)));
    assert.ok(h.events.some((e) => e.t === 'MESSAGE_DELETE_BULK' && (e.d as any).ids.length === 3));
  });
});

describe('slowmode, pins and typing', () => {
  let g: TestGuild;
  before(async () => {
    g = await createGuild(h);
  });

  test('slowmode answers 429 with Retry-After; moderators bypass it', async () => {
    await h.api('PATCH', `/channels/${g.textChannelId}`, {
      token: g.owner.token,
      body: { rate_limit_per_user: 30 },
    });
    const m = await join(h, g);
    assert.equal((await send(m, g.textChannelId, { content: 'one' })).status, 200);
    const second = await send(m, g.textChannelId, { content: 'two' });
    assert.equal(second.status, 429);
    assert.ok(Number(second.headers.get('retry-after')) >= 1);
    assert.equal(typeof second.body.retry_after, 'number');
    assert.equal(second.body.global, false);
    assert.equal((await send(g.owner, g.textChannelId, { content: 'a' })).status, 200);
    assert.equal((await send(g.owner, g.textChannelId, { content: 'b' })).status, 200);
    await h.api('PATCH', `/channels/${g.textChannelId}`, {
      token: g.owner.token,
      body: { rate_limit_per_user: 0 },
    });
  });

  test('pins: a system message and CHANNEL_PINS_UPDATE', async () => {
    const msg = (await send(g.owner, g.textChannelId, { content: 'pin me' })).body;
    const m = await join(h, g);
    assert.equal(
      (await h.api('PUT', `/channels/${g.textChannelId}/pins/${msg.id}`, { token: m.token })).status,
      403,
    );
    assert.equal(
      (await h.api('PUT', `/channels/${g.textChannelId}/pins/${msg.id}`, { token: g.owner.token })).status,
      204,
    );
    const pins = await h.api('GET', `/channels/${g.textChannelId}/pins`, { token: m.token });
    assert.deepEqual(
      pins.body.map((x: any) => x.id),
      [msg.id],
    );
    assert.equal(pins.body[0].pinned, true);
    const history = await h.api('GET', `/channels/${g.textChannelId}/messages?limit=5`, { token: m.token });
    const system = history.body.find((x: any) => x.type === 6);
    assert.equal(system.message_reference.message_id, msg.id);
    assert.ok(
      h.events.some((e) => e.t === 'CHANNEL_PINS_UPDATE' && (e.d as any).channel_id === g.textChannelId),
    );
    assert.equal(
      (await h.api('DELETE', `/channels/${g.textChannelId}/pins/${msg.id}`, { token: g.owner.token })).status,
      204,
    );
    assert.deepEqual((await h.api('GET', `/channels/${g.textChannelId}/pins`, { token: m.token })).body, []);
  });

  test('typing publishes TYPING_START with unix seconds and the member', async () => {
    const res = await h.api('POST', `/channels/${g.textChannelId}/typing`, { token: g.owner.token });
    assert.equal(res.status, 204);
    const ev = h.events.findLast((e) => e.t === 'TYPING_START')!;
    assert.equal((ev.d as any).user_id, g.owner.id);
    assert.ok(Math.abs((ev.d as any).timestamp - Date.now() / 1000) < 10);
    assert.ok((ev.d as any).member);
  });
});

describe('limits', () => {
  test('embeds are stored and returned as given, within Discord’s limits, on send and on edit', async () => {
    const g = await createGuild(h);
    const embed = {
      title: 'Release',
      description: 'Notes',
      url: 'https://example.test/r',
      color: 0x00ff00,
      fields: [{ name: 'a', value: 'b', inline: true }],
      footer: { text: 'bot' },
    };
    const sent = await send(g.owner, g.textChannelId, { embeds: [embed] });
    assert.equal(sent.status, 200);
    assert.deepEqual(sent.body.embeds, [embed]);
    const stored = await h.api('GET', `/channels/${g.textChannelId}/messages/${sent.body.id}`, {
      token: g.owner.token,
    });
    assert.deepEqual(stored.body.embeds, [embed]);
    const tooMuch = [
      { title: 'x'.repeat(257) },
      { fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) },
    ];
    for (const bad of tooMuch)
      assert.equal((await send(g.owner, g.textChannelId, { embeds: [bad] })).body.code, 50035);
    assert.equal(
      (await send(g.owner, g.textChannelId, { embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }))
        .status,
      400,
    );
    const over6000 = [{ description: 'x'.repeat(4096) }, { description: 'y'.repeat(2000) }];
    assert.equal((await send(g.owner, g.textChannelId, { embeds: over6000 })).body.code, 50035);
    const edit = await h.api('PATCH', `/channels/${g.textChannelId}/messages/${sent.body.id}`, {
      token: g.owner.token,
      body: { embeds: over6000 },
    });
    assert.equal(edit.body.code, 50035);
    assert.equal(
      (await h.api('GET', `/channels/${g.textChannelId}/messages/${sent.body.id}`, { token: g.owner.token }))
        .body.embeds[0].title,
      'Release',
      'a refused edit changes nothing',
    );
  });

  test('bulk delete takes at most 100 messages', async () => {
    const g = await createGuild(h);
    const ids = Array.from({ length: 101 }, (_, i) => (BigInt('1300000000000000000') + BigInt(i)).toString());
    const res = await h.api('POST', `/channels/${g.textChannelId}/messages/bulk-delete`, {
      token: g.owner.token,
      body: { messages: ids },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 50035);
  });

  test('slowmode is bypassed by MANAGE_MESSAGES alone and by MANAGE_CHANNELS alone', async () => {
    const g = await createGuild(h);
    await h.api('PATCH', `/channels/${g.textChannelId}`, {
      token: g.owner.token,
      body: { rate_limit_per_user: 60 },
    });
    const [mod, manager, plain] = [await join(h, g), await join(h, g), await join(h, g)];
    await grant(h, g, mod, P.MANAGE_MESSAGES, 'mods');
    await grant(h, g, manager, P.MANAGE_CHANNELS, 'managers');
    for (const u of [mod, manager]) {
      assert.equal((await send(u, g.textChannelId, { content: '1' })).status, 200);
      assert.equal((await send(u, g.textChannelId, { content: '2' })).status, 200);
    }
    assert.equal((await send(plain, g.textChannelId, { content: '1' })).status, 200);
    const limited = await send(plain, g.textChannelId, { content: '2' });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  test('a channel holds at most 50 pins', async () => {
    const g = await createGuild(h);
    const pin = (id: string) =>
      h.api('PUT', `/channels/${g.textChannelId}/pins/${id}`, { token: g.owner.token });
    for (let i = 0; i < 50; i++) {
      const m = (await send(g.owner, g.textChannelId, { content: `p${i}` })).body;
      assert.equal((await pin(m.id)).status, 204);
    }
    const extra = (await send(g.owner, g.textChannelId, { content: 'one too many' })).body;
    const res = await pin(extra.id);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 30003);
    const pins = await h.api('GET', `/channels/${g.textChannelId}/pins`, { token: g.owner.token });
    assert.equal(pins.body.length, 50);
    assert.ok(!pins.body.some((m: any) => m.id === extra.id));
  });
});

describe('who may read and post', () => {
  test('outsiders get 404; members without SEND_MESSAGES 403; without VIEW_CHANNEL 404', async () => {
    const g = await createGuild(h);
    const msg = (await send(g.owner, g.textChannelId, { content: 'secret' })).body;
    const outsider = await h.register();
    for (const [method, path, body] of [
      ['POST', `/channels/${g.textChannelId}/messages`, { content: 'x' }],
      ['GET', `/channels/${g.textChannelId}/messages`, undefined],
      ['GET', `/channels/${g.textChannelId}/messages/${msg.id}`, undefined],
      ['POST', `/channels/${g.textChannelId}/typing`, undefined],
      ['GET', `/channels/${g.textChannelId}/pins`, undefined],
    ] as const) {
      const res = await h.api(method, path, { token: outsider.token, body });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.code, 10003);
      assert.equal((await h.api(method, path, { body })).status, 401);
    }
    const m = await join(h, g);
    await h.api('PUT', `/channels/${g.textChannelId}/permissions/${m.id}`, {
      token: g.owner.token,
      body: { type: 1, deny: P.SEND_MESSAGES.toString() },
    });
    const mute = await send(m, g.textChannelId, { content: 'x' });
    assert.equal(mute.status, 403);
    assert.equal(mute.body.code, 50013);
    await h.api('PUT', `/channels/${g.textChannelId}/permissions/${m.id}`, {
      token: g.owner.token,
      body: { type: 1, deny: P.VIEW_CHANNEL.toString() },
    });
    assert.equal(
      (await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: m.token })).status,
      404,
    );
    assert.equal((await send(m, g.textChannelId, { content: 'x' })).status, 404);
  });
});
