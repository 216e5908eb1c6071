import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import sharp from 'sharp';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, join } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

// Identifying: GUILD_CREATE's guild-wide part comes from a per-process snapshot of the guild
// (domain/gateway/guild-cache.ts), and the events that happen meanwhile wait until the session has its guilds.
let h: TestServer;
before(async () => {
  h = await startHearth({ gatewayIdentifyLimit: 1000 });
});
after(() => closeWithClients(h));

/** The GUILD_CREATE a fresh session of `u` gets (its only guild). */
async function guildCreate(u: TestUser): Promise<any> {
  const c = await TestGateway.identify(h, u.token);
  const created = await c.dispatch('GUILD_CREATE');
  c.ws.close(1000);
  return created;
}

async function ok(res: Promise<{ status: number; text: string; body: any }>, status = 200): Promise<any> {
  const r = await res;
  assert.equal(r.status, status, r.text);
  return r.body;
}

const image = async () =>
  `data:image/png;base64,${(
    await sharp({ create: { width: 32, height: 32, channels: 4, background: '#ff8800' } })
      .png()
      .toBuffer()
  ).toString('base64')}`;

// Each change is made after a GUILD_CREATE of the guild was built from the snapshot, and must show in the next
// identify on the same process once the guild's event has gone out.
test('every kind of change to a guild shows in the next GUILD_CREATE on the same process', async () => {
  const g = await createGuild(h);
  const owner = g.owner;
  const [viewer, subject] = [await join(h, g), await join(h, g)];
  const as = (u: TestUser) => ({ token: u.token });
  // The owner's session sees every event of the guild; by the time it has one, the gateway has seen it too.
  const watcher = await TestGateway.identify(h, owner.token, {}, 1);
  const subjectSession = await TestGateway.identify(h, subject.token, {}, 1);
  const member = (created: any, u: TestUser) => created.members.find((m: any) => m.user.id === u.id);
  assert.equal((await guildCreate(viewer)).name, 'Test Guild');

  await ok(h.api('PATCH', `/guilds/${g.id}`, { ...as(owner), body: { name: 'Renamed' } }));
  await watcher.dispatch('GUILD_UPDATE');
  assert.equal((await guildCreate(viewer)).name, 'Renamed');

  const role = await ok(h.api('POST', `/guilds/${g.id}/roles`, { ...as(owner), body: { name: 'fresh' } }));
  await watcher.dispatch('GUILD_ROLE_CREATE');
  assert.ok((await guildCreate(viewer)).roles.some((r: any) => r.id === role.id));

  await ok(h.api('PATCH', `/guilds/${g.id}/roles/${role.id}`, { ...as(owner), body: { name: 'fresher' } }));
  await watcher.dispatch('GUILD_ROLE_UPDATE', (d) => d.role.id === role.id);
  assert.equal((await guildCreate(viewer)).roles.find((r: any) => r.id === role.id).name, 'fresher');

  await ok(h.api('PUT', `/guilds/${g.id}/members/${subject.id}/roles/${role.id}`, as(owner)), 204);
  await watcher.dispatch('GUILD_MEMBER_UPDATE', (d) => d.user.id === subject.id);
  assert.deepEqual(member(await guildCreate(viewer), subject).roles, [role.id]);

  await ok(h.api('PATCH', `/guilds/${g.id}/members/${subject.id}`, { ...as(owner), body: { nick: 'Sub' } }));
  await watcher.dispatch('GUILD_MEMBER_UPDATE', (d) => d.nick === 'Sub');
  assert.equal(member(await guildCreate(viewer), subject).nick, 'Sub');

  await ok(h.api('DELETE', `/guilds/${g.id}/roles/${role.id}`, as(owner)), 204);
  await watcher.dispatch('GUILD_ROLE_DELETE');
  const afterRoleDelete = await guildCreate(viewer);
  assert.ok(!afterRoleDelete.roles.some((r: any) => r.id === role.id));
  assert.deepEqual(member(afterRoleDelete, subject).roles, []);

  const channel = await ok(
    h.api('POST', `/guilds/${g.id}/channels`, { ...as(owner), body: { name: 'fresh', type: 0 } }),
    201,
  );
  await watcher.dispatch('CHANNEL_CREATE', (d) => d.id === channel.id);
  assert.ok((await guildCreate(viewer)).channels.some((c: any) => c.id === channel.id));

  await ok(h.api('PATCH', `/channels/${channel.id}`, { ...as(owner), body: { name: 'fresher' } }));
  await watcher.dispatch('CHANNEL_UPDATE', (d) => d.name === 'fresher');
  assert.equal((await guildCreate(viewer)).channels.find((c: any) => c.id === channel.id).name, 'fresher');

  await ok(
    h.api('PUT', `/channels/${channel.id}/permissions/${viewer.id}`, {
      ...as(owner),
      body: { type: 1, deny: P.VIEW_CHANNEL.toString() },
    }),
    204,
  );
  await watcher.dispatch('CHANNEL_UPDATE', (d) => d.id === channel.id && d.permission_overwrites.length);
  assert.ok(!(await guildCreate(viewer)).channels.some((c: any) => c.id === channel.id));

  await ok(h.api('DELETE', `/channels/${channel.id}`, as(owner)));
  await watcher.dispatch('CHANNEL_DELETE', (d) => d.id === channel.id);
  assert.ok(!(await guildCreate(owner)).channels.some((c: any) => c.id === channel.id));

  // A message moves its channel's last_message_id (the snapshot follows without reloading).
  const message = await ok(
    h.api('POST', `/channels/${g.textChannelId}/messages`, { ...as(owner), body: { content: 'hi' } }),
  );
  await watcher.dispatch('MESSAGE_CREATE', (d) => d.id === message.id);
  const general = (c: any) => c.channels.find((x: any) => x.id === g.textChannelId);
  assert.equal(general(await guildCreate(viewer)).last_message_id, message.id);

  await ok(h.api('PUT', `/channels/${g.textChannelId}/pins/${message.id}`, as(owner)), 204);
  await watcher.dispatch('CHANNEL_PINS_UPDATE');
  assert.ok(general(await guildCreate(viewer)).last_pin_timestamp);

  const thread = await ok(
    h.api('POST', `/channels/${g.textChannelId}/threads`, { ...as(owner), body: { name: 'talk', type: 11 } }),
    201,
  );
  await watcher.dispatch('THREAD_CREATE', (d) => d.id === thread.id);
  assert.ok((await guildCreate(viewer)).threads.some((t: any) => t.id === thread.id));

  // A message in a thread changes the thread's counts and members.
  const inThread = await ok(
    h.api('POST', `/channels/${thread.id}/messages`, { ...as(subject), body: { content: 'in the thread' } }),
  );
  await watcher.dispatch('MESSAGE_CREATE', (d) => d.id === inThread.id);
  const talk = (await guildCreate(viewer)).threads.find((t: any) => t.id === thread.id);
  assert.equal(talk.message_count, 1);
  assert.equal(talk.last_message_id, inThread.id);
  assert.equal(talk.member_count, 2);

  await ok(h.api('PATCH', `/channels/${thread.id}`, { ...as(owner), body: { archived: true } }));
  await watcher.dispatch('THREAD_UPDATE', (d) => d.id === thread.id && d.thread_metadata.archived);
  assert.ok(!(await guildCreate(viewer)).threads.some((t: any) => t.id === thread.id));

  const emoji = await ok(
    h.api('POST', `/guilds/${g.id}/emojis`, { ...as(owner), body: { name: 'cached', image: await image() } }),
    201,
  );
  await watcher.dispatch('GUILD_EMOJIS_UPDATE');
  assert.ok((await guildCreate(viewer)).emojis.some((e: any) => e.id === emoji.id));

  const newcomer = await join(h, g);
  await watcher.dispatch('GUILD_MEMBER_ADD', (d) => d.user.id === newcomer.id);
  const withNewcomer = await guildCreate(viewer);
  assert.equal(withNewcomer.member_count, 4);
  assert.ok(member(withNewcomer, newcomer));

  await ok(h.api('DELETE', `/guilds/${g.id}/members/${newcomer.id}`, as(owner)), 204);
  await watcher.dispatch('GUILD_MEMBER_REMOVE', (d) => d.user.id === newcomer.id);
  const withoutNewcomer = await guildCreate(viewer);
  assert.equal(withoutNewcomer.member_count, 3);
  assert.ok(!member(withoutNewcomer, newcomer));

  // A member's profile is part of every member list they are in; USER_UPDATE goes to their own sessions.
  await ok(h.api('PATCH', '/users/@me', { ...as(subject), body: { global_name: 'Subject Renamed' } }));
  await subjectSession.dispatch('USER_UPDATE');
  assert.equal(member(await guildCreate(viewer), subject).user.global_name, 'Subject Renamed');

  // Presences of the members listed follow PRESENCE_UPDATE.
  const statusOf = (created: any, u: TestUser) =>
    created.presences.find((p: any) => p.user.id === u.id)?.status ?? 'offline';
  assert.equal(statusOf(await guildCreate(viewer), subject), 'online');
  subjectSession.send({ op: 3, d: { status: 'idle', activities: [], since: null, afk: false } });
  await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === subject.id && d.status === 'idle');
  assert.equal(statusOf(await guildCreate(viewer), subject), 'idle');
  subjectSession.ws.close(1000);
  await watcher.dispatch('PRESENCE_UPDATE', (d) => d.user.id === subject.id && d.status === 'offline');
  assert.equal(statusOf(await guildCreate(viewer), subject), 'offline');
});

test('events that happen while a session identifies reach it after READY and the GUILD_CREATE of their guild', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  let posting = true;
  const posted: string[] = [];
  const poster = (async () => {
    while (posting) {
      const msg = await ok(
        h.api('POST', `/channels/${g.textChannelId}/messages`, {
          token: g.owner.token,
          body: { content: `during ${posted.length}` },
        }),
      );
      posted.push(msg.id);
    }
  })();
  const sessions: Array<{ c: TestGateway; order: string[] }> = [];
  for (let i = 0; i < 8; i++) {
    const c = await TestGateway.open(h);
    const order: string[] = [];
    c.ws.on('message', (data) => {
      const p = JSON.parse(data.toString());
      if (p.op === 0) order.push(p.t);
    });
    await c.next((p) => p.op === 10);
    c.send({ op: 2, d: { token: m.token, properties: {} } });
    await c.dispatch('GUILD_CREATE');
    sessions.push({ c, order });
  }
  posting = false;
  await poster;
  const last = posted[posted.length - 1];
  for (const { c, order } of sessions) {
    await c.dispatch('MESSAGE_CREATE', (d) => d.id === last);
    assert.deepEqual(order.slice(0, 2), ['READY', 'GUILD_CREATE']);
    assert.ok(order.slice(2).includes('MESSAGE_CREATE'));
  }
});

test('events that arrive while a listed session joins guilds or answers op 8 reach it once each', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const c = await TestGateway.identify(h, m.token, {}, 1);
  const seen = new Map<string, number>();
  c.ws.on('message', (data) => {
    const p = JSON.parse(data.toString());
    if (p.t === 'MESSAGE_CREATE') seen.set(p.d.id, (seen.get(p.d.id) ?? 0) + 1);
  });
  // Messages keep coming while the session joins guilds (each loads with its events held) and asks for members.
  let posting = true;
  const sent: string[] = [];
  const poster = (async () => {
    while (posting) {
      const msg = await ok(
        h.api('POST', `/channels/${g.textChannelId}/messages`, {
          token: g.owner.token,
          body: { content: `m${sent.length}` },
        }),
      );
      sent.push(msg.id);
    }
  })();
  for (let i = 0; i < 4; i++) {
    const other = await createGuild(h);
    await join(h, other, m);
    c.send({ op: 8, d: { guild_id: g.id, query: '', limit: 0, nonce: `n${i}` } });
    await c.dispatch('GUILD_CREATE', (d) => d.id === other.id);
  }
  posting = false;
  await poster;
  await c.dispatch('MESSAGE_CREATE', (d) => d.id === sent[sent.length - 1]);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(
    sent.map((id) => seen.get(id)),
    sent.map(() => 1),
  );
});
