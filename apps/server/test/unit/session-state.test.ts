import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type OverwriteData, Permission as P } from '@hearth/permissions';
import type { EventName, HearthEvent } from '@hearth/protocol';
import type { CachedGuild, SharedAccess } from '../../src/domain/gateway/session-data.service';
import type { CachedChannel } from '../../src/domain/guilds/guild-access';
import { SessionState } from '../../src/gateway/session-state';

// A session's permission cache decides, for every event, whether the session gets it. Permissions are remembered
// per channel between changes; each kind of change must be seen by the next decision, not only by the first one.

const GUILD = '10';
const CHANNEL = '20';
const ROLE = '30';
const ME = '40';

/** An event as the bus brings it, with only the fields the cache reads. */
const ev = (t: EventName, d: object) => ({ t, topic: `guild:${GUILD}`, d }) as unknown as HearthEvent;

const ROLES = [
  { id: GUILD, permissions: 0n, position: 0 },
  { id: ROLE, permissions: P.VIEW_CHANNEL | P.MANAGE_CHANNELS, position: 1 },
];

/** A snapshot's access as sessions share it (session-data.service.ts builds these from a guild's snapshot). */
function sharedAccess(overwrites: OverwriteData[] = [], threads: CachedChannel[] = []): SharedAccess {
  const channels: CachedChannel[] = [{ id: CHANNEL, type: 0, parentId: null, overwrites }, ...threads];
  return {
    roles: new Map(ROLES.map((r) => [r.id, r])),
    channels: new Map(channels.map((c) => [c.id, c])),
    overwritten: new Set(overwrites.filter((o) => o.type === 1).map((o) => o.id)),
    byRoles: new Map(),
  };
}

/** A session of `userId` in the guild: with maps of its own, or sharing `shared`'s. */
function state(
  shared: SharedAccess | null = null,
  userId = ME,
  extra: Partial<CachedGuild> = {},
): SessionState {
  const s = new SessionState(userId);
  const own = shared ?? sharedAccess();
  const guild: CachedGuild = {
    id: GUILD,
    ownerId: '1',
    roles: shared ? own.roles : new Map(own.roles),
    myRoleIds: [ROLE],
    myTimeout: null,
    channels: shared ? own.channels : new Map(own.channels),
    privateThreads: new Set(),
    shared,
    ...extra,
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

for (const sharing of [false, true])
  describe(`session permission cache (${sharing ? 'maps shared with other sessions' : 'maps of its own'})`, () => {
    const session = () => state(sharing ? sharedAccess() : null);

    test('a role losing VIEW_CHANNEL, then getting it back', () => {
      const s = session();
      assert.equal(sees(s), true);
      s.apply(
        ev('GUILD_ROLE_UPDATE', { guild_id: GUILD, role: { id: ROLE, permissions: '0', position: 1 } }),
      );
      assert.equal(sees(s), false);
      s.apply(
        ev('GUILD_ROLE_UPDATE', {
          guild_id: GUILD,
          role: { id: ROLE, permissions: P.VIEW_CHANNEL.toString(), position: 1 },
        }),
      );
      assert.equal(sees(s), true);
    });

    test('the role deleted, or taken from the member', () => {
      const deleted = session();
      assert.equal(sees(deleted), true);
      deleted.apply(ev('GUILD_ROLE_DELETE', { guild_id: GUILD, role_id: ROLE }));
      assert.equal(sees(deleted), false);

      const taken = session();
      assert.equal(sees(taken), true);
      taken.apply(ev('GUILD_MEMBER_UPDATE', { guild_id: GUILD, user: { id: '99' }, roles: [] }));
      assert.equal(sees(taken), true, "another member's roles change nothing");
      taken.apply(ev('GUILD_MEMBER_UPDATE', { guild_id: GUILD, user: { id: ME }, roles: [] }));
      assert.equal(sees(taken), false);
    });

    test('an overwrite on the channel', () => {
      const s = session();
      assert.equal(sees(s), true);
      s.apply(
        ev('CHANNEL_UPDATE', {
          guild_id: GUILD,
          id: CHANNEL,
          type: 0,
          parent_id: null,
          permission_overwrites: [{ id: ROLE, type: 0, allow: '0', deny: P.VIEW_CHANNEL.toString() }],
        }),
      );
      assert.equal(sees(s), false);
    });

    test('a channel created after it was asked about, and deleted', () => {
      const s = session();
      assert.equal(sees(s, '21'), false);
      s.apply(
        ev('CHANNEL_CREATE', {
          guild_id: GUILD,
          id: '21',
          type: 0,
          parent_id: null,
          permission_overwrites: [],
        }),
      );
      assert.equal(sees(s, '21'), true);
      s.apply(ev('CHANNEL_DELETE', { guild_id: GUILD, id: '21' }));
      assert.equal(sees(s, '21'), false);
    });

    test('ownership', () => {
      const s = session();
      s.apply(
        ev('GUILD_ROLE_UPDATE', { guild_id: GUILD, role: { id: ROLE, permissions: '0', position: 1 } }),
      );
      assert.equal(sees(s), false);
      s.apply(ev('GUILD_UPDATE', { id: GUILD, owner_id: ME }));
      assert.equal(sees(s), true, 'the owner sees everything');
    });

    test('a timeout takes MANAGE_CHANNELS while it runs, and gives it back when it ends', (t) => {
      t.mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) });
      const s = session();
      assert.ok(s.channelPermissions(GUILD, CHANNEL) & P.MANAGE_CHANNELS);
      s.apply(
        ev('GUILD_MEMBER_UPDATE', {
          guild_id: GUILD,
          user: { id: ME },
          roles: [ROLE],
          communication_disabled_until: new Date(Date.now() + 60_000).toISOString(),
        }),
      );
      assert.equal(s.channelPermissions(GUILD, CHANNEL) & P.MANAGE_CHANNELS, 0n);
      assert.equal(sees(s), true, 'a timed-out member still sees the channel');
      t.mock.timers.tick(60_001);
      assert.ok(s.channelPermissions(GUILD, CHANNEL) & P.MANAGE_CHANNELS, 'ended on time, with no event');
    });

    test('a guild loaded afresh is not answered from the old one', () => {
      const s = session();
      assert.equal(sees(s), true);
      const again = session().guilds.get(GUILD)!;
      again.myRoleIds = [];
      s.guilds.set(GUILD, again);
      assert.equal(sees(s), false);
    });
  });

// Sessions that start from the same guild snapshot share its roles and channels, and members whose permissions follow
// from their roles alone share what was computed for their role set. A change must reach each session as it applies
// the event (not before), and whoever is not like the others must never be answered from the shared table.
describe('sessions sharing a snapshot', () => {
  const OTHER = '41';

  test('members with the same roles share one table; what the first computed answers the second', () => {
    const shared = sharedAccess();
    const [a, b] = [state(shared, ME), state(shared, OTHER)];
    assert.equal(sees(a), true);
    assert.equal(shared.byRoles.size, 1);
    shared.byRoles.get(ROLE)!.set(CHANNEL, 0n);
    assert.equal(sees(b), false, 'answered from the shared table');
  });

  test('a change reaches a session when it applies the event, and leaves the shared maps alone', () => {
    const shared = sharedAccess();
    const [a, b] = [state(shared, ME), state(shared, OTHER)];
    assert.equal(sees(a), true);
    assert.equal(sees(b), true);
    const denied = {
      guild_id: GUILD,
      id: CHANNEL,
      type: 0,
      parent_id: null,
      permission_overwrites: [{ id: ROLE, type: 0, allow: '0', deny: P.VIEW_CHANNEL.toString() }],
    };
    a.apply(ev('CHANNEL_UPDATE', denied));
    assert.equal(sees(a), false);
    assert.equal(sees(b), true, 'b has not seen the event yet');
    assert.equal(sees(state(shared, '42')), true, 'a session of the old snapshot starts from it unchanged');
    b.apply(ev('CHANNEL_UPDATE', denied));
    assert.equal(sees(b), false);

    const roles = sharedAccess();
    const [c, d] = [state(roles, ME), state(roles, OTHER)];
    c.apply(ev('GUILD_ROLE_UPDATE', { guild_id: GUILD, role: { id: ROLE, permissions: '0', position: 1 } }));
    assert.equal(sees(c), false);
    assert.equal(sees(d), true);
    assert.equal(roles.roles.get(ROLE)!.permissions, P.VIEW_CHANNEL | P.MANAGE_CHANNELS);
  });

  test('the owner, a member named by an overwrite and a private thread member have tables of their own', () => {
    const shared = sharedAccess(
      [{ id: ME, type: 1, allow: 0n, deny: P.VIEW_CHANNEL }],
      [{ id: '50', type: 12, parentId: CHANNEL, overwrites: [] }],
    );
    const other = state(shared, OTHER);
    assert.equal(sees(other), true);
    assert.equal(sees(other, '50'), false, 'not in the private thread');
    assert.equal(sees(state(shared, ME)), false, 'the overwrite names this member');
    const owner = state(shared, '1', { myRoleIds: [] });
    assert.equal(sees(owner), true);
    assert.equal(
      sees(state(shared, '43', { myRoleIds: [] })),
      false,
      'same roles as the owner, not the owner',
    );
    const inThread = state(shared, '44', { privateThreads: new Set(['50']) });
    assert.equal(sees(inThread, '50'), true);
    assert.equal(sees(state(shared, '45'), '50'), false);
  });
});
