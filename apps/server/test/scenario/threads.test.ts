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

describe('threads', () => {
  test('a public thread from a message: same id, messages through the same routes, members and events', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const msg = await say(h, g.owner, g.textChannelId, 'discuss');
    const res = await h.api('POST', `/channels/${g.textChannelId}/messages/${msg.id}/threads`, {
      token: g.owner.token,
      body: { name: 'Discussion', auto_archive_duration: 1440 },
    });
    assert.equal(res.status, 201);
    const thread = res.body;
    assert.equal(thread.id, msg.id);
    assert.equal(thread.type, 11);
    assert.equal(thread.parent_id, g.textChannelId);
    assert.equal(thread.thread_metadata.auto_archive_duration, 1440);
    assert.equal(thread.member.user_id, g.owner.id);
    assert.ok(h.events.some((e) => e.t === 'THREAD_CREATE' && (e.d as any).id === thread.id));
    assert.equal(
      (
        await h.api('POST', `/channels/${g.textChannelId}/messages/${msg.id}/threads`, {
          token: g.owner.token,
          body: { name: 'again' },
        })
      ).status,
      400,
    );

    const reply = await h.api('POST', `/channels/${thread.id}/messages`, {
      token: m.token,
      body: { content: 'in thread' },
    });
    assert.equal(reply.status, 200);
    // The implicit join is announced as an explicit one is: to the poster, and to those who see the thread.
    const joins = () =>
      h.events.filter(
        (e) =>
          e.t === 'THREAD_MEMBERS_UPDATE' &&
          (e.d as any).id === thread.id &&
          (e.d as any).added_members?.some((x: any) => x.user_id === m.id),
      );
    assert.equal(joins().length, 1);
    assert.equal((joins()[0].d as any).member_count, 2);
    assert.ok(
      h.events.some(
        (e) =>
          e.t === 'THREAD_MEMBER_UPDATE' && (e.d as any).id === thread.id && (e.d as any).user_id === m.id,
      ),
    );
    assert.equal(
      (await h.api('POST', `/channels/${thread.id}/messages`, { token: m.token, body: { content: 'again' } }))
        .status,
      200,
    );
    assert.equal(joins().length, 1, 'a member posting again joins nothing');
    const history = await h.api('GET', `/channels/${thread.id}/messages`, { token: m.token });
    assert.deepEqual(
      history.body.map((x: any) => x.content),
      ['again', 'in thread'],
    );
    const members = await h.api('GET', `/channels/${thread.id}/thread-members`, { token: m.token });
    assert.deepEqual(
      members.body.map((x: any) => x.user_id).sort(),
      [g.owner.id, m.id].sort(),
      'posting joins the thread',
    );
    assert.equal((await h.api('GET', `/channels/${thread.id}`, { token: m.token })).body.message_count, 2);
    assert.equal(
      (await h.api('DELETE', `/channels/${thread.id}/thread-members/@me`, { token: m.token })).status,
      204,
    );
    assert.ok(
      h.events.some(
        (e) => e.t === 'THREAD_MEMBERS_UPDATE' && (e.d as any).removed_member_ids?.includes(m.id),
      ),
    );
    const active = await h.api('GET', `/guilds/${g.id}/threads/active`, { token: m.token });
    assert.deepEqual(
      active.body.threads.map((t: any) => t.id),
      [thread.id],
    );
  });

  test('private threads are seen by their members and thread managers only', async () => {
    const g = await createGuild(h);
    const [a, b] = [await join(h, g), await join(h, g)];
    const res = await h.api('POST', `/channels/${g.textChannelId}/threads`, {
      token: a.token,
      body: { name: 'secret', type: 12 },
    });
    assert.equal(res.status, 201);
    const t = res.body;
    assert.equal(t.type, 12);
    assert.equal((await h.api('GET', `/channels/${t.id}`, { token: b.token })).status, 404);
    assert.equal((await h.api('GET', `/channels/${t.id}/messages`, { token: b.token })).status, 404);
    assert.equal(
      (await h.api('PUT', `/channels/${t.id}/thread-members/@me`, { token: b.token })).status,
      404,
    );
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/threads/active`, { token: b.token })).body.threads.length,
      0,
    );
    assert.equal(
      (await h.api('GET', `/channels/${t.id}`, { token: g.owner.token })).status,
      200,
      'the owner manages threads',
    );
    assert.equal(
      (await h.api('PUT', `/channels/${t.id}/thread-members/${b.id}`, { token: a.token })).status,
      204,
    );
    assert.equal((await h.api('GET', `/channels/${t.id}`, { token: b.token })).status, 200);
    assert.equal(
      (await h.api('DELETE', `/channels/${t.id}/thread-members/${a.id}`, { token: b.token })).status,
      403,
    );
    assert.equal(
      (await h.api('DELETE', `/channels/${t.id}/thread-members/${b.id}`, { token: a.token })).status,
      204,
      'the owner of a private thread removes members',
    );
  });

  test('creating needs CREATE_PUBLIC_THREADS or CREATE_PRIVATE_THREADS; sending needs SEND_MESSAGES_IN_THREADS', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const deny = (bits: bigint) =>
      h.api('PUT', `/channels/${g.textChannelId}/permissions/${m.id}`, {
        token: g.owner.token,
        body: { type: 1, deny: bits.toString() },
      });
    await deny(P.CREATE_PUBLIC_THREADS | P.CREATE_PRIVATE_THREADS);
    assert.equal(
      (
        await h.api('POST', `/channels/${g.textChannelId}/threads`, {
          token: m.token,
          body: { name: 'x', type: 11 },
        })
      ).status,
      403,
    );
    assert.equal(
      (await h.api('POST', `/channels/${g.textChannelId}/threads`, { token: m.token, body: { name: 'x' } }))
        .status,
      403,
    );
    const t = (
      await h.api('POST', `/channels/${g.textChannelId}/threads`, {
        token: g.owner.token,
        body: { name: 'open', type: 11 },
      })
    ).body;
    // Without SEND_MESSAGES in the parent a member still posts and types in its threads.
    await deny(P.SEND_MESSAGES);
    assert.equal(
      (await h.api('POST', `/channels/${t.id}/messages`, { token: m.token, body: { content: 'hi' } })).status,
      200,
    );
    assert.equal((await h.api('POST', `/channels/${t.id}/typing`, { token: m.token })).status, 204);
    await deny(P.SEND_MESSAGES_IN_THREADS);
    assert.equal(
      (await h.api('POST', `/channels/${t.id}/messages`, { token: m.token, body: { content: 'hi' } })).status,
      403,
    );
    assert.equal((await h.api('POST', `/channels/${t.id}/typing`, { token: m.token })).status, 403);
    const parentHistory = await h.api('GET', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
    });
    assert.ok(
      parentHistory.body.some((x: any) => x.type === 18),
      'THREAD_CREATED system message in the parent',
    );
    assert.equal(
      (
        await h.api('POST', `/channels/${g.voiceChannelId}/threads`, {
          token: g.owner.token,
          body: { name: 'x', type: 11 },
        })
      ).status,
      400,
    );
  });

  test('archive, lock and delete: creators archive, MANAGE_THREADS locks; a locked thread refuses posts', async () => {
    const g = await createGuild(h);
    const [a, b] = [await join(h, g), await join(h, g)];
    const t = (
      await h.api('POST', `/channels/${g.textChannelId}/threads`, {
        token: a.token,
        body: { name: 'mine', type: 11 },
      })
    ).body;
    assert.equal(
      (await h.api('PATCH', `/channels/${t.id}`, { token: b.token, body: { archived: true } })).status,
      403,
    );
    const archived = await h.api('PATCH', `/channels/${t.id}`, {
      token: a.token,
      body: { archived: true, name: 'renamed' },
    });
    assert.equal(archived.status, 200);
    assert.equal(archived.body.thread_metadata.archived, true);
    assert.equal(archived.body.name, 'renamed');
    // Posting reopens an unlocked thread.
    assert.equal(
      (await h.api('POST', `/channels/${t.id}/messages`, { token: b.token, body: { content: 'wake up' } }))
        .status,
      200,
    );
    assert.equal(
      (await h.api('GET', `/channels/${t.id}`, { token: a.token })).body.thread_metadata.archived,
      false,
    );
    assert.equal(
      (await h.api('PATCH', `/channels/${t.id}`, { token: a.token, body: { locked: true } })).status,
      403,
    );
    await grant(h, g, b, P.MANAGE_THREADS);
    assert.equal(
      (await h.api('PATCH', `/channels/${t.id}`, { token: b.token, body: { locked: true } })).status,
      200,
    );
    assert.equal(
      (await h.api('POST', `/channels/${t.id}/messages`, { token: a.token, body: { content: 'hello?' } }))
        .status,
      403,
    );
    assert.equal((await h.api('DELETE', `/channels/${t.id}`, { token: a.token })).status, 403);
    assert.equal((await h.api('DELETE', `/channels/${t.id}`, { token: b.token })).status, 200);
    assert.equal((await h.api('GET', `/channels/${t.id}`, { token: b.token })).status, 404);
    assert.ok(h.events.some((e) => e.t === 'THREAD_DELETE' && (e.d as any).id === t.id));
  });

  test('threads idle past auto_archive_duration are archived (THREAD_UPDATE); active ones are not', async () => {
    const g = await createGuild(h);
    const make = async (name: string, auto_archive_duration: number) =>
      (
        await h.api('POST', `/channels/${g.textChannelId}/threads`, {
          token: g.owner.token,
          body: { name, type: 11, auto_archive_duration },
        })
      ).body;
    const hour = await make('hour', 60);
    const week = await make('week', 10080);
    const later = new Date(Date.now() + 2 * 60 * 60_000);
    assert.ok((await h.app.services.threads.archiveInactive(later)) >= 1);
    const get = async (id: string) =>
      (await h.api('GET', `/channels/${id}`, { token: g.owner.token })).body.thread_metadata;
    assert.equal((await get(hour.id)).archived, true);
    assert.equal((await get(week.id)).archived, false);
    assert.ok(
      h.events.some(
        (e) =>
          e.t === 'THREAD_UPDATE' && (e.d as any).id === hour.id && (e.d as any).thread_metadata.archived,
      ),
    );
    // Archived once, even when several processes sweep.
    const updates = () =>
      h.events.filter((e) => e.t === 'THREAD_UPDATE' && (e.d as any).id === hour.id).length;
    const before = updates();
    await h.app.services.threads.archiveInactive(later);
    assert.equal(updates(), before);
    const active = await h.api('GET', `/guilds/${g.id}/threads/active`, { token: g.owner.token });
    assert.ok(!active.body.threads.some((t: any) => t.id === hour.id));
  });
});
