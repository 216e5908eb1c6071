import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, grant, join } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

// Conversation events as the gateway delivers them: each reaches the sessions entitled to it and no others.
let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => closeWithClients(h));
const connect = (u: TestUser, guilds = 0) => TestGateway.identify(h, u.token, {}, guilds);
const ok = async (res: Promise<{ status: number; text: string }>, status = 204) => {
  const r = await res;
  assert.equal(r.status, status, r.text);
  return r as Awaited<typeof res> & { body: any };
};

/** Every receiver gets the dispatch; none of the others does. */
async function only(t: string, where: (d: any) => boolean, receivers: TestGateway[], others: TestGateway[]) {
  const got = await Promise.all(
    receivers.map((c) =>
      c.dispatch(t, where).catch(() => assert.fail(`${t} did not reach a session entitled to it`)),
    ),
  );
  const missed = await Promise.all(others.map((c) => c.never(t, where)));
  assert.ok(
    missed.every((m) => m),
    `${t} reached a session it should not`,
  );
  return got[0];
}

describe('guild conversation events', () => {
  test('message, reaction, pin, typing, thread and emoji events reach those who see the channel', async () => {
    const g = await createGuild(h);
    const [viewer, hidden, outsider] = [await join(h, g), await join(h, g), await h.register()];
    await ok(
      h.api('PUT', `/channels/${g.textChannelId}/permissions/${hidden.id}`, {
        token: g.owner.token,
        body: { type: 1, deny: P.VIEW_CHANNEL.toString() },
      }),
    );
    const [cv, ch, co] = [await connect(viewer, 1), await connect(hidden, 1), await connect(outsider)];
    const ch0 = g.textChannelId;
    const api = (method: string, path: string, body?: unknown) =>
      h.api(method, path, { token: g.owner.token, body });
    const inChannel = (d: any) => d.channel_id === ch0;

    const m1 = (await ok(api('POST', `/channels/${ch0}/messages`, { content: 'one' }), 200)).body;
    const m2 = (await ok(api('POST', `/channels/${ch0}/messages`, { content: 'two' }), 200)).body;
    await only('MESSAGE_CREATE', (d) => d.id === m2.id, [cv], [ch, co]);
    await ok(api('PATCH', `/channels/${ch0}/messages/${m1.id}`, { content: 'one!' }), 200);
    await only('MESSAGE_UPDATE', (d) => d.id === m1.id && d.content === 'one!', [cv], [ch, co]);

    const emoji = encodeURIComponent('👍');
    await ok(api('PUT', `/channels/${ch0}/messages/${m1.id}/reactions/${emoji}/@me`));
    assert.equal(
      (await only('MESSAGE_REACTION_ADD', (d) => d.message_id === m1.id, [cv], [ch, co])).emoji.name,
      '👍',
    );
    await ok(api('DELETE', `/channels/${ch0}/messages/${m1.id}/reactions/${emoji}/@me`));
    await only('MESSAGE_REACTION_REMOVE', (d) => d.message_id === m1.id, [cv], [ch, co]);
    await ok(api('PUT', `/channels/${ch0}/messages/${m1.id}/reactions/${emoji}/@me`));
    await ok(api('DELETE', `/channels/${ch0}/messages/${m1.id}/reactions/${emoji}`));
    await only('MESSAGE_REACTION_REMOVE_EMOJI', (d) => d.message_id === m1.id, [cv], [ch, co]);
    await ok(api('PUT', `/channels/${ch0}/messages/${m1.id}/reactions/${emoji}/@me`));
    await ok(api('DELETE', `/channels/${ch0}/messages/${m1.id}/reactions`));
    await only('MESSAGE_REACTION_REMOVE_ALL', (d) => d.message_id === m1.id, [cv], [ch, co]);

    await ok(api('PUT', `/channels/${ch0}/pins/${m1.id}`));
    await only('CHANNEL_PINS_UPDATE', inChannel, [cv], [ch, co]);
    await ok(api('POST', `/channels/${ch0}/typing`));
    await only('TYPING_START', inChannel, [cv], [ch, co]);

    const thread = (
      await ok(api('POST', `/channels/${ch0}/messages/${m2.id}/threads`, { name: 'talk' }), 201)
    ).body;
    await only('THREAD_CREATE', (d) => d.id === thread.id, [cv], [ch, co]);
    await ok(h.api('PUT', `/channels/${thread.id}/thread-members/@me`, { token: viewer.token }));
    assert.equal(
      (await cv.dispatch('THREAD_MEMBER_UPDATE', (d) => d.id === thread.id)).user_id,
      viewer.id,
      'THREAD_MEMBER_UPDATE goes to the member who joined',
    );
    await only('THREAD_MEMBERS_UPDATE', (d) => d.id === thread.id, [cv], [ch, co]);
    await ok(api('PATCH', `/channels/${thread.id}`, { archived: true }), 200);
    await only('THREAD_UPDATE', (d) => d.id === thread.id && d.thread_metadata.archived, [cv], [ch, co]);
    await ok(api('DELETE', `/channels/${thread.id}`), 200);
    await only('THREAD_DELETE', (d) => d.id === thread.id, [cv], [ch, co]);

    await ok(api('DELETE', `/channels/${ch0}/messages/${m1.id}`));
    await only('MESSAGE_DELETE', (d) => d.id === m1.id, [cv], [ch, co]);
    const m3 = (await ok(api('POST', `/channels/${ch0}/messages`, { content: 'three' }), 200)).body;
    await ok(api('POST', `/channels/${ch0}/messages/bulk-delete`, { messages: [m2.id, m3.id] }));
    assert.deepEqual(
      (await only('MESSAGE_DELETE_BULK', inChannel, [cv], [ch, co])).ids.sort(),
      [m2.id, m3.id].sort(),
    );

    // Guild-wide: every member, whatever the channels they see.
    const image = `data:image/png;base64,${Buffer.from(
      await (await import('sharp'))
        .default({
          create: { width: 8, height: 8, channels: 4, background: '#f00' },
        })
        .png()
        .toBuffer(),
    ).toString('base64')}`;
    await ok(api('POST', `/guilds/${g.id}/emojis`, { name: 'red', image }), 201);
    await only('GUILD_EMOJIS_UPDATE', (d) => d.guild_id === g.id, [cv, ch], [co]);
  });

  test('a member who loses VIEW_CHANNEL through a role stops getting its events at once, and gets its threads back with THREAD_LIST_SYNC', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const ch0 = g.textChannelId;
    const post = async (content: string) =>
      (await ok(h.api('POST', `/channels/${ch0}/messages`, { token: g.owner.token, body: { content } }), 200))
        .body;
    const starter = await post('topic');
    const thread = (
      await ok(
        h.api('POST', `/channels/${ch0}/messages/${starter.id}/threads`, {
          token: g.owner.token,
          body: { name: 'topic' },
        }),
        201,
      )
    ).body;
    // The channel is visible through a role only.
    const roleId = await grant(h, g, m, 0n, 'readers');
    await ok(
      h.api('PUT', `/channels/${ch0}/permissions/${g.id}`, {
        token: g.owner.token,
        body: { type: 0, deny: P.VIEW_CHANNEL.toString() },
      }),
    );
    await ok(
      h.api('PUT', `/channels/${ch0}/permissions/${roleId}`, {
        token: g.owner.token,
        body: { type: 0, allow: P.VIEW_CHANNEL.toString() },
      }),
    );
    const c = await connect(m, 1);
    const seen = await post('seen');
    await c.dispatch('MESSAGE_CREATE', (d) => d.id === seen.id);

    await ok(h.api('DELETE', `/guilds/${g.id}/members/${m.id}/roles/${roleId}`, { token: g.owner.token }));
    await c.dispatch('GUILD_MEMBER_UPDATE', (d) => d.user.id === m.id);
    const unseen = await post('unseen');
    assert.ok(await c.never('MESSAGE_CREATE', (d) => d.id === unseen.id));

    await ok(h.api('PUT', `/guilds/${g.id}/members/${m.id}/roles/${roleId}`, { token: g.owner.token }));
    const sync = await c.dispatch('THREAD_LIST_SYNC', (d) => d.guild_id === g.id);
    assert.deepEqual(sync.channel_ids, [ch0]);
    assert.deepEqual(
      sync.threads.map((t: any) => t.id),
      [thread.id],
    );
    const back = await post('back');
    await c.dispatch('MESSAGE_CREATE', (d) => d.id === back.id);

    // The role itself losing VIEW_CHANNEL (an overwrite-free channel, @everyone's permissions).
    const other = (
      await ok(
        h.api('POST', `/guilds/${g.id}/channels`, { token: g.owner.token, body: { name: 'open' } }),
        201,
      )
    ).body;
    const everyone = (await h.api('GET', `/guilds/${g.id}/roles/${g.id}`, { token: g.owner.token })).body;
    await ok(
      h.api('PATCH', `/guilds/${g.id}/roles/${g.id}`, {
        token: g.owner.token,
        body: { permissions: (BigInt(everyone.permissions) & ~P.VIEW_CHANNEL).toString() },
      }),
      200,
    );
    await c.dispatch('GUILD_ROLE_UPDATE', (d) => d.role.id === g.id);
    const hiddenNow = (
      await ok(
        h.api('POST', `/channels/${other.id}/messages`, { token: g.owner.token, body: { content: 'x' } }),
        200,
      )
    ).body;
    assert.ok(await c.never('MESSAGE_CREATE', (d) => d.id === hiddenNow.id));
  });

  test('GUILD_CREATE carries the active threads the session can see', async () => {
    const g = await createGuild(h);
    const [a, b] = [await join(h, g), await join(h, g)];
    const ch0 = g.textChannelId;
    const open = (
      await ok(
        h.api('POST', `/channels/${ch0}/threads`, { token: a.token, body: { name: 'open', type: 11 } }),
        201,
      )
    ).body;
    const secret = (
      await ok(
        h.api('POST', `/channels/${ch0}/threads`, { token: a.token, body: { name: 'secret', type: 12 } }),
        201,
      )
    ).body;
    const ids = async (u: TestUser) => {
      const c = await TestGateway.identify(h, u.token);
      return (await c.dispatch('GUILD_CREATE')).threads.map((t: any) => t.id).sort();
    };
    assert.deepEqual(await ids(a), [open.id, secret.id].sort());
    assert.deepEqual(await ids(b), [open.id]);
  });

  test('a banned member gets GUILD_DELETE and nothing more from the guild', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    const c = await connect(m, 1);
    await ok(h.api('PUT', `/guilds/${g.id}/bans/${m.id}`, { token: g.owner.token, body: {} }));
    await c.dispatch('GUILD_DELETE', (d) => d.id === g.id);
    const later = (
      await ok(
        h.api('POST', `/channels/${g.textChannelId}/messages`, {
          token: g.owner.token,
          body: { content: 'after the ban' },
        }),
        200,
      )
    ).body;
    assert.ok(await c.never('MESSAGE_CREATE', (d) => d.id === later.id));
  });
});

describe('DM and user events', () => {
  test('group DM recipients get CHANNEL_RECIPIENT_ADD/REMOVE; the added and removed user get CHANNEL_CREATE/DELETE', async () => {
    const [owner, a, added, outsider] = [
      await h.register(),
      await h.register(),
      await h.register(),
      await h.register(),
    ];
    const [ca, cadded, co] = [await connect(a), await connect(added), await connect(outsider)];
    const group = (
      await ok(
        h.api('POST', '/users/@me/channels', { token: owner.token, body: { recipients: [a.id] } }),
        200,
      )
    ).body;
    await ca.dispatch('CHANNEL_CREATE', (d) => d.id === group.id);
    await ok(h.api('PUT', `/channels/${group.id}/recipients/${added.id}`, { token: owner.token }));
    await only('CHANNEL_RECIPIENT_ADD', (d) => d.channel_id === group.id, [ca], [co]);
    await cadded.dispatch('CHANNEL_CREATE', (d) => d.id === group.id);
    await only('MESSAGE_CREATE', (d) => d.channel_id === group.id && d.type === 1, [ca, cadded], [co]);
    const hello = (
      await ok(
        h.api('POST', `/channels/${group.id}/messages`, { token: owner.token, body: { content: 'hi all' } }),
        200,
      )
    ).body;
    await only('MESSAGE_CREATE', (d) => d.id === hello.id, [ca, cadded], [co]);
    await ok(h.api('PATCH', `/channels/${group.id}`, { token: owner.token, body: { name: 'crew' } }), 200);
    await only('CHANNEL_UPDATE', (d) => d.id === group.id && d.name === 'crew', [ca, cadded], [co]);

    await ok(h.api('DELETE', `/channels/${group.id}/recipients/${added.id}`, { token: owner.token }));
    await only('CHANNEL_RECIPIENT_REMOVE', (d) => d.channel_id === group.id, [ca], [co]);
    await cadded.dispatch('CHANNEL_DELETE', (d) => d.id === group.id);
    const bye = (
      await ok(
        h.api('POST', `/channels/${group.id}/messages`, { token: owner.token, body: { content: 'bye' } }),
        200,
      )
    ).body;
    await only('MESSAGE_CREATE', (d) => d.id === bye.id, [ca], [cadded, co]);
    await ok(
      h.api('PUT', `/channels/${group.id}/messages/${bye.id}/reactions/${encodeURIComponent('🎉')}/@me`, {
        token: a.token,
      }),
    );
    await only('MESSAGE_REACTION_ADD', (d) => d.message_id === bye.id, [ca], [cadded, co]);
  });

  test('relationship and read-state events go to the user’s own sessions only', async () => {
    const [a, b, outsider] = [await h.register(), await h.register(), await h.register()];
    const [ca, cb, co] = [await connect(a), await connect(b), await connect(outsider)];
    await ok(h.api('PUT', `/users/@me/relationships/${b.id}`, { token: a.token, body: {} }));
    assert.equal((await only('RELATIONSHIP_ADD', (d) => d.id === b.id, [ca], [cb, co])).type, 4);
    assert.equal((await only('RELATIONSHIP_ADD', (d) => d.id === a.id, [cb], [ca, co])).type, 3);
    await ok(h.api('DELETE', `/users/@me/relationships/${a.id}`, { token: b.token }));
    await only('RELATIONSHIP_REMOVE', (d) => d.id === b.id, [ca], [co]);
    await only('RELATIONSHIP_REMOVE', (d) => d.id === a.id, [cb], [co]);

    const dm = (
      await ok(h.api('POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } }), 200)
    ).body;
    const msg = (
      await ok(h.api('POST', `/channels/${dm.id}/messages`, { token: a.token, body: { content: 'yo' } }), 200)
    ).body;
    await ok(h.api('POST', `/channels/${dm.id}/messages/${msg.id}/ack`, { token: b.token, body: {} }), 200);
    await only('MESSAGE_ACK', (d) => d.message_id === msg.id, [cb], [ca, co]);
  });

  test('a changed name or avatar reaches every guild the user is in as GUILD_MEMBER_UPDATE, and nobody else', async () => {
    const g1 = await createGuild(h);
    const g2 = await createGuild(h);
    const alice = await join(h, g1);
    await join(h, g2, alice);
    const role = await grant(h, g1, alice, P.ADD_REACTIONS);
    const outsider = await h.register();
    const other = await createGuild(h, outsider);
    const [c1, c2, co] = [await connect(g1.owner, 1), await connect(g2.owner, 1), await connect(outsider, 1)];
    const pixel =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==';
    const me = (
      await ok(
        h.api('PATCH', '/users/@me', {
          token: alice.token,
          body: { global_name: 'Alice Renamed', avatar: pixel },
        }),
        200,
      )
    ).body;
    assert.ok(me.avatar);
    const ofAlice = (guildId: string) => (d: any) => d.guild_id === guildId && d.user?.id === alice.id;
    const [u1, u2] = [
      await c1.dispatch('GUILD_MEMBER_UPDATE', ofAlice(g1.id)),
      await c2.dispatch('GUILD_MEMBER_UPDATE', ofAlice(g2.id)),
    ];
    for (const u of [u1, u2]) {
      assert.equal(u.user.global_name, 'Alice Renamed');
      assert.equal(u.user.avatar, me.avatar);
      assert.ok(u.joined_at);
    }
    // The member object is whole: roles stay as they are (a client replaces the member with it).
    assert.deepEqual(u1.roles, [role]);
    assert.deepEqual(u2.roles, []);
    // Nothing for a session sharing no guild with her: its own guild's next event comes first.
    await ok(
      h.api('POST', `/channels/${other.textChannelId}/messages`, {
        token: outsider.token,
        body: { content: 'mark' },
      }),
      200,
    );
    await co.dispatch('MESSAGE_CREATE', (d) => d.content === 'mark');
    assert.ok(!co.received.some((p) => p.t === 'GUILD_MEMBER_UPDATE'));

    // A change others cannot see (the bio), or a name set to what it was, sends no member update.
    await ok(
      h.api('PATCH', '/users/@me', {
        token: alice.token,
        body: { bio: 'hello', global_name: 'Alice Renamed' },
      }),
      200,
    );
    await ok(
      h.api('POST', `/channels/${g1.textChannelId}/messages`, {
        token: alice.token,
        body: { content: 'after bio' },
      }),
      200,
    );
    await c1.dispatch('MESSAGE_CREATE', (d) => d.content === 'after bio');
    assert.ok(!c1.received.some((p) => p.t === 'GUILD_MEMBER_UPDATE' && p.d.user?.id === alice.id));
  });
});
