// Discord's user guild settings: PATCH /users/@me/guilds/:guild_id/settings changes how the caller is notified in
// a guild and in its channels; USER_GUILD_SETTINGS_UPDATE reaches their sessions; READY lists the settings again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeWithClients, TestGateway } from '../gateway-client';
import { createGuild, join, type TestGuild } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';

let h: TestServer;
let g: TestGuild;
let member: TestUser;

const patch = (user: TestUser, guildId: string, body: unknown) =>
  h.api('PATCH', `/users/@me/guilds/${guildId}/settings`, { token: user.token, body });

/** READY's user_guild_settings for a fresh session of `user`. */
async function readySettings(user: TestUser): Promise<any> {
  const c = await TestGateway.open(h);
  await c.next((p) => p.op === 10);
  c.send({ op: 2, d: { token: user.token, properties: { os: 'linux', browser: 'test', device: 'test' } } });
  const ready = await c.dispatch('READY');
  c.close();
  return ready.user_guild_settings;
}

describe('user guild settings', () => {
  before(async () => {
    h = await startHearth();
    g = await createGuild(h);
    member = await join(h, g);
  });
  after(() => closeWithClients(h));

  test('a member sets mentions only and mutes a channel for an hour; their sessions are told, READY lists it', async () => {
    const gateway = await TestGateway.identify(h, member.token, {}, 1);
    const end = new Date(Date.now() + 3_600_000).toISOString();
    const res = await patch(member, g.id, {
      message_notifications: 1,
      suppress_everyone: true,
      channel_overrides: {
        [g.textChannelId]: { muted: true, mute_config: { end_time: end, selected_time_window: 3600 } },
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.guild_id, g.id);
    assert.equal(res.body.message_notifications, 1);
    assert.equal(res.body.suppress_everyone, true);
    assert.equal(res.body.muted, false);
    assert.equal(res.body.version, 1);
    assert.deepEqual(res.body.channel_overrides, [
      {
        channel_id: g.textChannelId,
        message_notifications: 3,
        muted: true,
        mute_config: { end_time: end, selected_time_window: 3600 },
        collapsed: false,
      },
    ]);
    const event = await gateway.dispatch('USER_GUILD_SETTINGS_UPDATE', (d) => d.guild_id === g.id);
    assert.deepEqual(event, res.body);
    gateway.close();

    const ready = await readySettings(member);
    assert.equal(ready.partial, false);
    assert.deepEqual(ready.entries, [res.body]);
    // The owner changed nothing: no entries.
    assert.deepEqual((await readySettings(g.owner)).entries, []);
  });

  test('muting the guild for good, then unmuting; a mute that has ended reads as not muted', async () => {
    const muted = await patch(member, g.id, { muted: true, mute_config: null });
    assert.equal(muted.body.muted, true);
    assert.equal(muted.body.mute_config, null);
    const unmuted = await patch(member, g.id, { muted: false });
    assert.equal(unmuted.body.muted, false);
    const past = new Date(Date.now() - 60_000).toISOString();
    const ended = await patch(member, g.id, {
      muted: true,
      mute_config: { end_time: past, selected_time_window: 900 },
    });
    assert.equal(ended.status, 200);
    assert.equal(ended.body.muted, false, 'the mute ended a minute ago');
    assert.equal(ended.body.mute_config.end_time, past);
    // Setting a channel back to every default removes its override.
    const cleared = await patch(member, g.id, {
      channel_overrides: { [g.textChannelId]: { muted: false, message_notifications: 3 } },
    });
    assert.deepEqual(cleared.body.channel_overrides, []);
    // The guild's level stays what it was.
    assert.equal(cleared.body.message_notifications, 1);
  });

  test('someone not in the guild gets 404 Unknown Guild and learns nothing; nothing is written', async () => {
    const stranger = await h.register();
    const res = await patch(stranger, g.id, { message_notifications: 2 });
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 10004);
    assert.equal((await patch(stranger, '1234567890123', { muted: true })).status, 404);
    assert.deepEqual((await readySettings(stranger)).entries, []);
    const unauthenticated = await h.api('PATCH', `/users/@me/guilds/${g.id}/settings`, { body: {} });
    assert.equal(unauthenticated.status, 401);
  });

  test('bad input is a 400 naming the field, never a 500', async () => {
    const other = await createGuild(h);
    const cases: Array<[unknown, string]> = [
      [{ message_notifications: 4 }, 'message_notifications'],
      [{ message_notifications: 'all' }, 'message_notifications'],
      [{ muted: 'yes' }, 'muted'],
      [{ mute_config: { end_time: 'tomorrow', selected_time_window: 60 } }, 'end_time'],
      [{ channel_overrides: { 'not-an-id': { muted: true } } }, 'channel_overrides'],
      [{ channel_overrides: { [other.textChannelId]: { muted: true } } }, other.textChannelId],
      [{ channel_overrides: { [g.textChannelId]: { message_notifications: 9 } } }, 'message_notifications'],
    ];
    for (const [body, field] of cases) {
      const res = await patch(member, g.id, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${res.text}`);
      assert.equal(res.body.code, 50035, res.text);
      assert.ok(res.text.includes(field), `${JSON.stringify(body)} names ${field}: ${res.text}`);
    }
    const tooMany = Object.fromEntries(
      Array.from({ length: 501 }, (_, i) => [String(10n ** 15n + BigInt(i)), { muted: true }]),
    );
    assert.equal((await patch(member, g.id, { channel_overrides: tooMany })).status, 400);
  });
});
