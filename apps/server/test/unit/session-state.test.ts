import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import type { CachedGuild } from '../../src/domain/gateway/session-data.service';
import { SessionState } from '../../src/gateway/session-state';

// A session's permission cache decides, for every event, whether the session gets it. Permissions are remembered
// per channel between changes; each kind of change must be seen by the next decision, not only by the first one.

const GUILD = '10';
const CHANNEL = '20';
const ROLE = '30';
const ME = '40';

function state(): SessionState {
  const s = new SessionState(ME);
  const guild: CachedGuild = {
    id: GUILD,
    ownerId: '1',
    roles: new Map([
      [GUILD, { id: GUILD, permissions: 0n, position: 0 }],
      [ROLE, { id: ROLE, permissions: P.VIEW_CHANNEL | P.MANAGE_CHANNELS, position: 1 }],
    ]),
    myRoleIds: [ROLE],
    myTimeout: null,
    channels: new Map([[CHANNEL, { id: CHANNEL, type: 0, parentId: null, overwrites: [] }]]),
    privateThreads: new Set(),
  };
  s.guilds.set(GUILD, guild);
  return s;
}

/** Asks twice, so that the second answer comes from what was remembered. */
function sees(s: SessionState, channel = CHANNEL): boolean {
  const first = s.canView(GUILD, channel);
  assert.equal(s.canView(GUILD, channel), first);
  return first;
}

describe('session permission cache', () => {
  test('a role losing VIEW_CHANNEL, then getting it back', () => {
    const s = state();
    assert.equal(sees(s), true);
    s.apply('GUILD_ROLE_UPDATE', { guild_id: GUILD, role: { id: ROLE, permissions: '0', position: 1 } });
    assert.equal(sees(s), false);
    s.apply('GUILD_ROLE_UPDATE', {
      guild_id: GUILD,
      role: { id: ROLE, permissions: P.VIEW_CHANNEL.toString(), position: 1 },
    });
    assert.equal(sees(s), true);
  });

  test('the role deleted, or taken from the member', () => {
    const deleted = state();
    assert.equal(sees(deleted), true);
    deleted.apply('GUILD_ROLE_DELETE', { guild_id: GUILD, role_id: ROLE });
    assert.equal(sees(deleted), false);

    const taken = state();
    assert.equal(sees(taken), true);
    taken.apply('GUILD_MEMBER_UPDATE', { guild_id: GUILD, user: { id: '99' }, roles: [] });
    assert.equal(sees(taken), true, "another member's roles change nothing");
    taken.apply('GUILD_MEMBER_UPDATE', { guild_id: GUILD, user: { id: ME }, roles: [] });
    assert.equal(sees(taken), false);
  });

  test('an overwrite on the channel', () => {
    const s = state();
    assert.equal(sees(s), true);
    s.apply('CHANNEL_UPDATE', {
      guild_id: GUILD,
      id: CHANNEL,
      type: 0,
      parent_id: null,
      permission_overwrites: [{ id: ROLE, type: 0, allow: '0', deny: P.VIEW_CHANNEL.toString() }],
    });
    assert.equal(sees(s), false);
  });

  test('a channel created after it was asked about, and deleted', () => {
    const s = state();
    assert.equal(sees(s, '21'), false);
    s.apply('CHANNEL_CREATE', {
      guild_id: GUILD,
      id: '21',
      type: 0,
      parent_id: null,
      permission_overwrites: [],
    });
    assert.equal(sees(s, '21'), true);
    s.apply('CHANNEL_DELETE', { guild_id: GUILD, id: '21' });
    assert.equal(sees(s, '21'), false);
  });

  test('ownership', () => {
    const s = state();
    s.apply('GUILD_ROLE_UPDATE', { guild_id: GUILD, role: { id: ROLE, permissions: '0', position: 1 } });
    assert.equal(sees(s), false);
    s.apply('GUILD_UPDATE', { id: GUILD, owner_id: ME });
    assert.equal(sees(s), true, 'the owner sees everything');
  });

  test('a timeout takes MANAGE_CHANNELS while it runs, and gives it back when it ends', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) });
    const s = state();
    assert.ok(s.channelPermissions(GUILD, CHANNEL) & P.MANAGE_CHANNELS);
    s.apply('GUILD_MEMBER_UPDATE', {
      guild_id: GUILD,
      user: { id: ME },
      roles: [ROLE],
      communication_disabled_until: new Date(Date.now() + 60_000).toISOString(),
    });
    assert.equal(s.channelPermissions(GUILD, CHANNEL) & P.MANAGE_CHANNELS, 0n);
    assert.equal(sees(s), true, 'a timed-out member still sees the channel');
    t.mock.timers.tick(60_001);
    assert.ok(s.channelPermissions(GUILD, CHANNEL) & P.MANAGE_CHANNELS, 'ended on time, with no event');
  });

  test('a guild loaded afresh is not answered from the old one', () => {
    const s = state();
    assert.equal(sees(s), true);
    const again = state().guilds.get(GUILD)!;
    again.myRoleIds = [];
    s.guilds.set(GUILD, again);
    assert.equal(sees(s), false);
  });
});
