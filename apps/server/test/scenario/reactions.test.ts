import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { createGuild, grant, join, say } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

const THUMBS = encodeURIComponent('👍');
const HEART = encodeURIComponent('❤️');

describe('reactions', () => {
  test('several emoji per user; counts and me in message objects; events with member', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const msg = await say(h, g.owner, g.textChannelId, 'react!');
    const base = `/channels/${g.textChannelId}/messages/${msg.id}/reactions`;
    assert.equal((await h.api('PUT', `${base}/${THUMBS}/@me`, { token: m.token })).status, 204);
    assert.equal((await h.api('PUT', `${base}/${HEART}/@me`, { token: m.token })).status, 204);
    assert.equal((await h.api('PUT', `${base}/${THUMBS}/@me`, { token: g.owner.token })).status, 204);
    assert.equal(
      (await h.api('PUT', `${base}/${THUMBS}/@me`, { token: g.owner.token })).status,
      204,
      'idempotent',
    );
    const seen = (await h.api('GET', `/channels/${g.textChannelId}/messages/${msg.id}`, { token: m.token }))
      .body;
    assert.deepEqual(
      seen.reactions.map((r: any) => [r.emoji.name, r.count, r.me]),
      [
        ['👍', 2, true],
        ['❤️', 1, true],
      ],
    );
    const ownerView = (
      await h.api('GET', `/channels/${g.textChannelId}/messages/${msg.id}`, { token: g.owner.token })
    ).body;
    assert.deepEqual(
      ownerView.reactions.map((r: any) => r.me),
      [true, false],
    );
    const add = h.events.find((e) => e.t === 'MESSAGE_REACTION_ADD' && (e.d as any).user_id === m.id)!;
    assert.equal((add.d as any).guild_id, g.id);
    assert.ok((add.d as any).member);
    assert.deepEqual((add.d as any).emoji, { id: null, name: '👍' });
    const who = await h.api('GET', `${base}/${THUMBS}?limit=10`, { token: m.token });
    assert.deepEqual(who.body.map((u: any) => u.id).sort(), [g.owner.id, m.id].sort());
    const page = await h.api('GET', `${base}/${THUMBS}?limit=1`, { token: m.token });
    assert.equal(page.body.length, 1);
    const next = await h.api('GET', `${base}/${THUMBS}?limit=1&after=${page.body[0].id}`, { token: m.token });
    assert.equal(next.body.length, 1);
    assert.ok(BigInt(next.body[0].id) > BigInt(page.body[0].id), 'after pages by user id');
    assert.equal((await h.api('GET', `${base}/${THUMBS}?limit=101`, { token: m.token })).status, 400);
    assert.equal((await h.api('DELETE', `${base}/${THUMBS}/@me`, { token: m.token })).status, 204);
    assert.ok(h.events.some((e) => e.t === 'MESSAGE_REACTION_REMOVE' && (e.d as any).user_id === m.id));
    const after1 = (await h.api('GET', `/channels/${g.textChannelId}/messages/${msg.id}`, { token: m.token }))
      .body;
    const byName = after1.reactions.map((r: any) => [r.emoji.name, r.count, r.me]).sort();
    assert.deepEqual(
      byName,
      [
        ['❤️', 1, true],
        ['👍', 1, false],
      ].sort(),
    );
  });

  test('ADD_REACTIONS is needed for a new emoji, not to join an existing one', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const msg = await say(h, g.owner, g.textChannelId, 'x');
    const base = `/channels/${g.textChannelId}/messages/${msg.id}/reactions`;
    await h.api('PUT', `/channels/${g.textChannelId}/permissions/${m.id}`, {
      token: g.owner.token,
      body: { type: 1, deny: P.ADD_REACTIONS.toString() },
    });
    assert.equal((await h.api('PUT', `${base}/${THUMBS}/@me`, { token: m.token })).status, 403);
    await h.api('PUT', `${base}/${THUMBS}/@me`, { token: g.owner.token });
    assert.equal((await h.api('PUT', `${base}/${THUMBS}/@me`, { token: m.token })).status, 204);
  });

  test('removing others’ reactions and clearing need MANAGE_MESSAGES', async () => {
    const g = await createGuild(h);
    const a = await join(h, g);
    const b = await join(h, g);
    const msg = await say(h, g.owner, g.textChannelId, 'x');
    const base = `/channels/${g.textChannelId}/messages/${msg.id}/reactions`;
    await h.api('PUT', `${base}/${THUMBS}/@me`, { token: a.token });
    await h.api('PUT', `${base}/${HEART}/@me`, { token: a.token });
    assert.equal((await h.api('DELETE', `${base}/${THUMBS}/${a.id}`, { token: b.token })).status, 403);
    assert.equal((await h.api('DELETE', `${base}/${THUMBS}`, { token: b.token })).status, 403);
    assert.equal((await h.api('DELETE', base, { token: b.token })).status, 403);
    await grant(h, g, b, P.MANAGE_MESSAGES);
    assert.equal((await h.api('DELETE', `${base}/${THUMBS}/${a.id}`, { token: b.token })).status, 204);
    assert.equal((await h.api('DELETE', `${base}/${HEART}`, { token: b.token })).status, 204);
    assert.ok(
      h.events.some((e) => e.t === 'MESSAGE_REACTION_REMOVE_EMOJI' && (e.d as any).message_id === msg.id),
    );
    await h.api('PUT', `${base}/${THUMBS}/@me`, { token: a.token });
    assert.equal((await h.api('DELETE', base, { token: b.token })).status, 204);
    assert.ok(
      h.events.some((e) => e.t === 'MESSAGE_REACTION_REMOVE_ALL' && (e.d as any).message_id === msg.id),
    );
    assert.equal(
      (await h.api('GET', `/channels/${g.textChannelId}/messages/${msg.id}`, { token: a.token })).body
        .reactions,
      undefined,
    );
  });

  test('unknown emoji, unknown messages and outsiders are refused', async () => {
    const g = await createGuild(h);
    const msg = await say(h, g.owner, g.textChannelId, 'x');
    const base = `/channels/${g.textChannelId}/messages/${msg.id}/reactions`;
    for (const bad of ['abc', encodeURIComponent('👍👍'), 'nope:123456789012345678', '%E0%A4%A']) {
      const res = await h.api('PUT', `${base}/${bad}/@me`, { token: g.owner.token });
      assert.equal(res.status, 400, bad);
      assert.equal(typeof res.body.code, 'number');
    }
    assert.equal(
      (
        await h.api(
          'PUT',
          `/channels/${g.textChannelId}/messages/123456789012345678/reactions/${THUMBS}/@me`,
          { token: g.owner.token },
        )
      ).body.code,
      10008,
    );
    const outsider = await h.register();
    assert.equal((await h.api('PUT', `${base}/${THUMBS}/@me`, { token: outsider.token })).status, 404);
    assert.equal((await h.api('GET', `${base}/${THUMBS}`, { token: outsider.token })).status, 404);
  });
});
