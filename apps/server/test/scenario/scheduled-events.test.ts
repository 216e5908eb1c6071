import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { TestGateway } from '../gateway-client';
import { createGuild, grant, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(async () => {
  TestGateway.closeAll();
  await h.close();
});

const inHours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString();
const external = (over: Record<string, unknown> = {}) => ({
  name: 'Meetup',
  description: 'In the park',
  privacy_level: 2,
  entity_type: 3,
  entity_metadata: { location: 'The park' },
  scheduled_start_time: inHours(24),
  scheduled_end_time: inHours(26),
  ...over,
});
const base = (g: TestGuild) => `/guilds/${g.id}/scheduled-events`;
const create = (u: TestUser, g: TestGuild, body: unknown) =>
  h.api('POST', base(g), { token: u.token, body, headers: { 'x-audit-log-reason': 'party' } });

async function withoutEveryone(g: TestGuild, bits: bigint) {
  const everyone = (await h.api('GET', `/guilds/${g.id}/roles`, { token: g.owner.token })).body.find(
    (r: any) => r.id === g.id,
  );
  const res = await h.api('PATCH', `/guilds/${g.id}/roles/${g.id}`, {
    token: g.owner.token,
    body: { permissions: (BigInt(everyone.permissions) & ~bits).toString() },
  });
  assert.equal(res.status, 200, res.text);
}

test('scheduled events: create, list, get, GUILD_CREATE, gateway events, audit log', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const watcher = await TestGateway.identify(h, g.owner.token, {}, 1);
  const res = await create(m, g, external());
  assert.equal(res.status, 200, res.text);
  const e = res.body;
  assert.equal(e.guild_id, g.id);
  assert.equal(e.channel_id, null);
  assert.equal(e.creator_id, m.id);
  assert.equal(e.creator.id, m.id);
  assert.equal(e.status, 1);
  assert.equal(e.entity_type, 3);
  assert.deepEqual(e.entity_metadata, { location: 'The park' });
  assert.equal(e.privacy_level, 2);
  assert.equal(e.image, null);
  assert.equal(e.recurrence_rule, null);
  assert.deepEqual(e.guild_scheduled_event_exceptions, []);
  assert.equal((await watcher.dispatch('GUILD_SCHEDULED_EVENT_CREATE')).id, e.id);

  const listed = await h.api('GET', `${base(g)}?with_user_count=true`, { token: g.owner.token });
  assert.equal(listed.status, 200);
  assert.equal(listed.body[0].id, e.id);
  assert.equal(listed.body[0].user_count, 0);
  const one = await h.api('GET', `${base(g)}/${e.id}`, { token: m.token });
  assert.equal(one.body.user_count, undefined);
  const gc = await (await TestGateway.identify(h, m.token)).dispatch('GUILD_CREATE');
  assert.deepEqual(
    gc.guild_scheduled_events.map((x: any) => x.id),
    [e.id],
  );

  // A voice event with a recurrence rule kept as given, and a cover image.
  const rule = { start: inHours(48), frequency: 2, interval: 1, by_weekday: [2] };
  const voice = await create(g.owner, g, {
    name: 'Voice hangout',
    privacy_level: 2,
    entity_type: 2,
    channel_id: g.voiceChannelId,
    scheduled_start_time: inHours(48),
    recurrence_rule: rule,
    image:
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  });
  assert.equal(voice.status, 200, voice.text);
  assert.equal(voice.body.channel_id, g.voiceChannelId);
  assert.equal(voice.body.entity_metadata, null);
  assert.deepEqual(voice.body.recurrence_rule, rule);
  assert.match(voice.body.image, /^[0-9a-f]{32}$/);
  const cover = await fetch(`${h.url}/guild-events/${voice.body.id}/${voice.body.image}.png`);
  assert.equal(cover.status, 200);

  const renamed = await h.api('PATCH', `${base(g)}/${e.id}`, {
    token: m.token,
    body: { name: 'Picnic', entity_metadata: { location: 'The lake' } },
  });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.body.name, 'Picnic');
  assert.equal(renamed.body.entity_metadata.location, 'The lake');
  assert.equal((await watcher.dispatch('GUILD_SCHEDULED_EVENT_UPDATE')).name, 'Picnic');
  assert.equal((await h.api('DELETE', `${base(g)}/${e.id}`, { token: m.token })).status, 204);
  assert.equal((await watcher.dispatch('GUILD_SCHEDULED_EVENT_DELETE')).id, e.id);
  const gone = await h.api('GET', `${base(g)}/${e.id}`, { token: m.token });
  assert.equal(gone.status, 404);
  assert.equal(gone.body.code, 10070);

  const log = await h.api('GET', `/guilds/${g.id}/audit-logs`, { token: g.owner.token });
  const entries = log.body.audit_log_entries.filter((x: any) => x.target_id === e.id);
  assert.deepEqual(entries.map((x: any) => x.action_type).sort(), [100, 101, 102]);
  assert.equal(entries.find((x: any) => x.action_type === 100).reason, 'party');
});

test('status moves SCHEDULED → ACTIVE → COMPLETED or SCHEDULED → CANCELED, nothing else', async () => {
  const g = await createGuild(h);
  const patch = (id: string, body: unknown) =>
    h.api('PATCH', `${base(g)}/${id}`, { token: g.owner.token, body });
  const e = (await create(g.owner, g, external())).body;
  const skip = await patch(e.id, { status: 3 });
  assert.equal(skip.status, 400);
  assert.equal(skip.body.code, 50035);
  assert.ok(skip.body.errors.status);
  assert.equal((await patch(e.id, { status: 1 })).status, 200);
  assert.equal((await patch(e.id, { status: 2 })).body.status, 2);
  assert.equal((await patch(e.id, { status: 4 })).status, 400);
  assert.equal((await patch(e.id, { status: 1 })).status, 400);
  assert.equal((await patch(e.id, { status: 3 })).body.status, 3);
  assert.equal((await patch(e.id, { status: 2 })).status, 400);
  const other = (await create(g.owner, g, external())).body;
  assert.equal((await patch(other.id, { status: 4 })).body.status, 4);
  assert.equal((await patch(other.id, { status: 2 })).status, 400);
  // A finished event takes no more interest.
  assert.equal(
    (await h.api('PUT', `${base(g)}/${other.id}/users/@me`, { token: g.owner.token })).status,
    400,
  );
});

test('interested users: mark, list with members, pages before and after, gateway events', async () => {
  const g = await createGuild(h);
  const people = [g.owner];
  for (let i = 0; i < 3; i++) people.push(await join(h, g));
  const watcher = await TestGateway.identify(h, g.owner.token, {}, 1);
  const e = (await create(g.owner, g, external())).body;
  for (const u of people) {
    const put = await h.api('PUT', `${base(g)}/${e.id}/users/@me`, { token: u.token });
    assert.equal(put.status, 204, put.text);
  }
  // Marking twice changes nothing.
  assert.equal(
    (await h.api('PUT', `${base(g)}/${e.id}/users/%40me`, { token: people[1].token })).status,
    204,
  );
  const added = await watcher.dispatch('GUILD_SCHEDULED_EVENT_USER_ADD', (d) => d.user_id === people[2].id);
  assert.deepEqual(added, { guild_scheduled_event_id: e.id, user_id: people[2].id, guild_id: g.id });
  const ids = people.map((u) => u.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const all = await h.api('GET', `${base(g)}/${e.id}/users?with_member=true`, { token: people[3].token });
  assert.equal(all.status, 200);
  assert.deepEqual(
    all.body.map((x: any) => x.user.id),
    ids,
  );
  assert.equal(all.body[0].guild_scheduled_event_id, e.id);
  assert.ok(all.body[0].member.joined_at);
  const plain = await h.api('GET', `${base(g)}/${e.id}/users?limit=2`, { token: g.owner.token });
  assert.deepEqual(
    plain.body.map((x: any) => x.user.id),
    ids.slice(0, 2),
  );
  assert.equal(plain.body[0].member, undefined);
  const afterPage = await h.api('GET', `${base(g)}/${e.id}/users?after=${ids[1]}`, { token: g.owner.token });
  assert.deepEqual(
    afterPage.body.map((x: any) => x.user.id),
    ids.slice(2),
  );
  const beforePage = await h.api('GET', `${base(g)}/${e.id}/users?before=${ids[3]}&after=${ids[0]}&limit=2`, {
    token: g.owner.token,
  });
  assert.deepEqual(
    beforePage.body.map((x: any) => x.user.id),
    ids.slice(1, 3),
  );
  assert.equal(
    (await h.api('GET', `${base(g)}/${e.id}?with_user_count=true`, { token: g.owner.token })).body.user_count,
    4,
  );
  assert.equal(
    (await h.api('DELETE', `${base(g)}/${e.id}/users/@me`, { token: people[2].token })).status,
    204,
  );
  assert.equal(
    (await watcher.dispatch('GUILD_SCHEDULED_EVENT_USER_REMOVE', (d) => d.user_id === people[2].id)).guild_id,
    g.id,
  );
  assert.equal(
    (await h.api('GET', `${base(g)}/${e.id}/users?limit=101`, { token: g.owner.token })).status,
    400,
  );
});

test('permissions: outsiders 404, CREATE_EVENTS for own, MANAGE_EVENTS for any, channel events need the channel', async () => {
  const g = await createGuild(h);
  const m = await join(h, g);
  const other = await join(h, g);
  const outsider = await h.register();
  const e = (await create(m, g, external())).body;
  assert.equal((await h.api('GET', base(g), { token: outsider.token })).status, 404);
  assert.equal((await h.api('GET', `${base(g)}/${e.id}`, { token: outsider.token })).status, 404);
  assert.equal((await create(outsider, g, external())).status, 404);
  assert.equal((await h.api('PUT', `${base(g)}/${e.id}/users/@me`, { token: outsider.token })).status, 404);
  assert.equal((await h.api('GET', `${base(g)}/${e.id}/users`, { token: outsider.token })).status, 404);

  const theirs = await h.api('PATCH', `${base(g)}/${e.id}`, { token: other.token, body: { name: 'x' } });
  assert.equal(theirs.status, 403);
  assert.equal(theirs.body.code, 50013);
  assert.equal((await h.api('DELETE', `${base(g)}/${e.id}`, { token: other.token })).status, 403);
  await withoutEveryone(g, P.CREATE_EVENTS);
  assert.equal((await create(other, g, external())).status, 403);
  assert.equal(
    (await h.api('PATCH', `${base(g)}/${e.id}`, { token: m.token, body: { name: 'y' } })).status,
    403,
  );
  await grant(h, g, other, P.MANAGE_EVENTS);
  assert.equal(
    (await h.api('PATCH', `${base(g)}/${e.id}`, { token: other.token, body: { name: 'z' } })).status,
    200,
  );

  // A voice event is seen by those who see its channel, and created only by those who may connect there.
  const voice = await create(g.owner, g, {
    name: 'Voice',
    privacy_level: 2,
    entity_type: 2,
    channel_id: g.voiceChannelId,
    scheduled_start_time: inHours(3),
  });
  assert.equal(voice.status, 200, voice.text);
  const hidden = await h.api('PUT', `/channels/${g.voiceChannelId}/permissions/${m.id}`, {
    token: g.owner.token,
    body: { type: 1, deny: P.VIEW_CHANNEL.toString(), allow: '0' },
  });
  assert.equal(hidden.status, 204, hidden.text);
  const blind = await TestGateway.identify(h, m.token, {}, 1);
  const seeing = await TestGateway.identify(h, other.token, {}, 1);
  assert.ok(!(await h.api('GET', base(g), { token: m.token })).body.some((x: any) => x.id === voice.body.id));
  assert.equal((await h.api('GET', `${base(g)}/${voice.body.id}`, { token: m.token })).body.code, 10070);
  assert.equal((await h.api('PUT', `${base(g)}/${voice.body.id}/users/@me`, { token: m.token })).status, 404);
  await h.api('PATCH', `${base(g)}/${voice.body.id}`, { token: g.owner.token, body: { name: 'Voice 2' } });
  assert.equal((await seeing.dispatch('GUILD_SCHEDULED_EVENT_UPDATE')).name, 'Voice 2');
  assert.ok(await blind.never('GUILD_SCHEDULED_EVENT_UPDATE'));
  const hiddenChannel = await create(m, g, {
    name: 'Nope',
    privacy_level: 2,
    entity_type: 2,
    channel_id: g.voiceChannelId,
    scheduled_start_time: inHours(3),
  });
  assert.equal(hiddenChannel.status, 400);
  assert.ok(hiddenChannel.body.errors.channel_id);
});

test('bad input: field requirements by entity type, times, privacy, recurrence: 400 50035', async () => {
  const g = await createGuild(h);
  const bad = async (body: unknown, key: string) => {
    const res = await create(g.owner, g, body);
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.code, 50035);
    assert.ok(res.body.errors[key], `${key}: ${res.text}`);
  };
  await bad(external({ entity_metadata: undefined }), 'entity_metadata');
  await bad(external({ scheduled_end_time: undefined }), 'scheduled_end_time');
  await bad(external({ channel_id: g.voiceChannelId }), 'channel_id');
  await bad(
    external({ scheduled_start_time: inHours(-1), scheduled_end_time: inHours(1) }),
    'scheduled_start_time',
  );
  await bad(external({ scheduled_end_time: inHours(1) }), 'scheduled_end_time');
  await bad(external({ privacy_level: 1 }), 'privacy_level');
  await bad(external({ name: 'x'.repeat(101) }), 'name');
  await bad(external({ scheduled_start_time: 'tomorrow' }), 'scheduled_start_time');
  await bad(
    { ...external(), entity_type: 2, entity_metadata: undefined, scheduled_end_time: undefined },
    'channel_id',
  );
  await bad(
    {
      name: 'Stage',
      privacy_level: 2,
      entity_type: 1,
      channel_id: g.voiceChannelId,
      scheduled_start_time: inHours(2),
    },
    'channel_id',
  );
  await bad(
    {
      name: 'T',
      privacy_level: 2,
      entity_type: 2,
      channel_id: g.textChannelId,
      scheduled_start_time: inHours(2),
    },
    'channel_id',
  );
  await bad(
    external({ recurrence_rule: { start: inHours(24), frequency: 2, interval: 1, count: 5 } }),
    'recurrence_rule',
  );
  const e = (await create(g.owner, g, external())).body;
  // To a voice event: a channel is needed; back to EXTERNAL: channel_id null, with a location and an end.
  const toVoice = await h.api('PATCH', `${base(g)}/${e.id}`, {
    token: g.owner.token,
    body: { entity_type: 2 },
  });
  assert.equal(toVoice.status, 400);
  const moved = await h.api('PATCH', `${base(g)}/${e.id}`, {
    token: g.owner.token,
    body: { entity_type: 2, channel_id: g.voiceChannelId, entity_metadata: { location: 'dropped' } },
  });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.entity_metadata, null);
  const back = await h.api('PATCH', `${base(g)}/${e.id}`, { token: g.owner.token, body: { entity_type: 3 } });
  assert.equal(back.status, 400);
  const backOk = await h.api('PATCH', `${base(g)}/${e.id}`, {
    token: g.owner.token,
    body: { entity_type: 3, channel_id: null, entity_metadata: { location: 'Hall' } },
  });
  assert.equal(backOk.status, 200, backOk.text);
  assert.equal(backOk.body.channel_id, null);
  assert.equal((await h.api('GET', `${base(g)}/1`, { token: g.owner.token })).body.code, 10070);
});

test('bots get scheduled event and sticker events only with GUILD_SCHEDULED_EVENTS and GUILD_EXPRESSIONS', async () => {
  const g = await createGuild(h);
  const app = (await h.api('POST', '/applications', { token: g.owner.token, body: { name: 'Intent Bot' } }))
    .body;
  const token = `Bot ${(await h.api('POST', `/applications/${app.id}/bot/reset`, { token: g.owner.token })).body.token}`;
  const added = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
    token: g.owner.token,
    body: { guild_id: g.id, permissions: '0', authorize: true },
  });
  assert.equal(added.status, 200, added.text);
  const GUILDS = 1;
  const EXPRESSIONS = 1 << 3;
  const EVENTS = 1 << 16;
  const all = await TestGateway.identify(h, token, { intents: GUILDS | EXPRESSIONS | EVENTS }, 1);
  const bare = await TestGateway.identify(h, token, { intents: GUILDS }, 1);
  const e = (await create(g.owner, g, external())).body;
  assert.equal((await all.dispatch('GUILD_SCHEDULED_EVENT_CREATE')).id, e.id);
  await h.api('PUT', `${base(g)}/${e.id}/users/@me`, { token: g.owner.token });
  assert.equal((await all.dispatch('GUILD_SCHEDULED_EVENT_USER_ADD')).user_id, g.owner.id);
  const form = new FormData();
  form.append('name', 'intent');
  form.append('tags', 'x');
  form.append(
    'file',
    new Blob([
      Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
        'base64',
      ),
    ]),
    's.png',
  );
  const up = await fetch(`${h.url}/api/v10/guilds/${g.id}/stickers`, {
    method: 'POST',
    headers: { authorization: g.owner.token },
    body: form,
  });
  assert.equal(up.status, 201);
  assert.equal((await all.dispatch('GUILD_STICKERS_UPDATE')).guild_id, g.id);
  for (const t of ['GUILD_SCHEDULED_EVENT_CREATE', 'GUILD_SCHEDULED_EVENT_USER_ADD', 'GUILD_STICKERS_UPDATE'])
    assert.ok(await bare.never(t), t);
});
