import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  ALL_PERMISSIONS,
  canManageMember,
  canManageRole,
  compareRoles,
  computeBasePermissions,
  computeChannelPermissions,
  type GuildData,
  highestRole,
  type MemberData,
  missingForGrant,
  type OverwriteData,
  Permission as P,
  parsePermissions,
  permissionNames,
  serializePermissions,
} from '../../src/index';

const GUILD = '100';
const OWNER = '1';
const ME = '2';
const role = (id: string, permissions: bigint, position = 1) => ({ id, permissions, position });
const guild = (
  roles: GuildData['roles'],
  everyone = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY,
): GuildData => ({
  id: GUILD,
  ownerId: OWNER,
  roles: [role(GUILD, everyone, 0), ...roles],
});
const member = (roleIds: string[] = [], communicationDisabledUntil: Date | null = null): MemberData => ({
  userId: ME,
  roleIds,
  communicationDisabledUntil,
});
const ow = (id: string, type: 0 | 1, allow: bigint, deny: bigint): OverwriteData => ({
  id,
  type,
  allow,
  deny,
});

describe('base permissions', () => {
  test('the owner has everything', () => {
    assert.equal(computeBasePermissions(guild([]), { userId: OWNER, roleIds: [] }), ALL_PERMISSIONS);
  });
  test('@everyone OR every role of the member', () => {
    const g = guild([role('10', P.KICK_MEMBERS), role('11', P.BAN_MEMBERS), role('12', P.MANAGE_ROLES)]);
    const perms = computeBasePermissions(g, member(['10', '11']));
    assert.equal(
      perms,
      P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.KICK_MEMBERS | P.BAN_MEMBERS,
    );
  });
  test('ADMINISTRATOR means everything', () => {
    assert.equal(
      computeBasePermissions(guild([role('10', P.ADMINISTRATOR)]), member(['10'])),
      ALL_PERMISSIONS,
    );
  });
  test('a timed-out member keeps only VIEW_CHANNEL and READ_MESSAGE_HISTORY; a past timeout does nothing', () => {
    const g = guild([role('10', P.KICK_MEMBERS)]);
    const future = new Date(Date.now() + 60_000);
    assert.equal(computeBasePermissions(g, member(['10'], future)), P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY);
    const past = new Date(Date.now() - 60_000);
    assert.ok(computeBasePermissions(g, member(['10'], past)) & P.KICK_MEMBERS);
  });
  test('owners and administrators are exempt from timeouts', () => {
    const future = new Date(Date.now() + 60_000);
    const g = guild([role('10', P.ADMINISTRATOR)]);
    assert.equal(computeBasePermissions(g, member(['10'], future)), ALL_PERMISSIONS);
    assert.equal(
      computeBasePermissions(g, { userId: OWNER, roleIds: [], communicationDisabledUntil: future }),
      ALL_PERMISSIONS,
    );
  });
});

describe('channel permissions', () => {
  const g = guild([role('10', 0n, 1), role('11', 0n, 2)]);
  test('@everyone overwrite applies first', () => {
    const perms = computeChannelPermissions(g, member(), [
      ow(GUILD, 0, P.ATTACH_FILES, P.READ_MESSAGE_HISTORY),
    ]);
    assert.ok(perms & P.ATTACH_FILES);
    assert.ok(!(perms & P.READ_MESSAGE_HISTORY));
  });
  test('a role allow beats the @everyone deny', () => {
    const perms = computeChannelPermissions(g, member(['10']), [
      ow(GUILD, 0, 0n, P.SEND_MESSAGES),
      ow('10', 0, P.SEND_MESSAGES, 0n),
    ]);
    assert.ok(perms & P.SEND_MESSAGES);
  });
  test("roles combine: one role's allow wins over another's deny", () => {
    const perms = computeChannelPermissions(g, member(['10', '11']), [
      ow('10', 0, 0n, P.SEND_MESSAGES),
      ow('11', 0, P.SEND_MESSAGES, 0n),
    ]);
    assert.ok(perms & P.SEND_MESSAGES);
  });
  test('the member overwrite comes last', () => {
    const perms = computeChannelPermissions(g, member(['10']), [
      ow('10', 0, P.SEND_MESSAGES, 0n),
      ow(ME, 1, 0n, P.SEND_MESSAGES),
    ]);
    assert.ok(!(perms & P.SEND_MESSAGES));
    const back = computeChannelPermissions(g, member(), [
      ow(GUILD, 0, 0n, P.VIEW_CHANNEL),
      ow(ME, 1, P.VIEW_CHANNEL, 0n),
    ]);
    assert.ok(back & P.VIEW_CHANNEL);
  });
  test('overwrites for roles the member lacks, and for other members, are ignored', () => {
    const perms = computeChannelPermissions(g, member(['10']), [
      ow('11', 0, 0n, P.VIEW_CHANNEL),
      ow('3', 1, 0n, P.VIEW_CHANNEL),
    ]);
    assert.ok(perms & P.VIEW_CHANNEL);
  });
  test('without VIEW_CHANNEL there is nothing', () => {
    const gg = guild([role('10', P.MANAGE_MESSAGES | P.KICK_MEMBERS)]);
    assert.equal(computeChannelPermissions(gg, member(['10']), [ow(GUILD, 0, 0n, P.VIEW_CHANNEL)]), 0n);
  });
  test('without SEND_MESSAGES its dependants go', () => {
    const gg = guild(
      [],
      P.VIEW_CHANNEL |
        P.SEND_MESSAGES |
        P.ATTACH_FILES |
        P.EMBED_LINKS |
        P.MENTION_EVERYONE |
        P.SEND_TTS_MESSAGES,
    );
    const perms = computeChannelPermissions(gg, member(), [ow(GUILD, 0, 0n, P.SEND_MESSAGES)]);
    assert.equal(perms, P.VIEW_CHANNEL);
  });
  test('in threads SEND_MESSAGES_IN_THREADS governs sending', () => {
    const gg = guild([], P.VIEW_CHANNEL | P.ATTACH_FILES | P.SEND_MESSAGES_IN_THREADS);
    assert.ok(computeChannelPermissions(gg, member(), [], { isThread: true }) & P.ATTACH_FILES);
    assert.ok(!(computeChannelPermissions(gg, member(), []) & P.ATTACH_FILES));
  });
  test('overwrites cannot give a timed-out member more than viewing and history', () => {
    const future = new Date(Date.now() + 60_000);
    const perms = computeChannelPermissions(g, member([], future), [
      ow(ME, 1, P.SEND_MESSAGES | P.ATTACH_FILES, 0n),
    ]);
    assert.equal(perms, P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY);
  });
  test('overwrites neither remove nor grant ADMINISTRATOR', () => {
    const admin = guild([role('10', P.ADMINISTRATOR)]);
    assert.equal(
      computeChannelPermissions(admin, member(['10']), [ow('10', 0, 0n, ALL_PERMISSIONS)]),
      ALL_PERMISSIONS,
    );
    const perms = computeChannelPermissions(g, member(), [ow(ME, 1, P.ADMINISTRATOR, 0n)]);
    assert.notEqual(perms, ALL_PERMISSIONS);
  });
});

describe('hierarchy', () => {
  const g = guild([role('10', 0n, 1), role('11', 0n, 2), role('12', 0n, 2)]);
  test('higher position wins; on a tie the older id is higher; @everyone is lowest', () => {
    assert.ok(compareRoles(g.roles[2], g.roles[1]) > 0);
    assert.ok(compareRoles(g.roles[2], g.roles[3]) > 0, '11 is older than 12');
    assert.ok(compareRoles(g.roles[1], g.roles[0]) > 0);
    assert.equal(highestRole(g, member(['10', '12']))?.id, '12');
    assert.equal(highestRole(g, member())?.id, GUILD);
  });
  test('roles and members strictly below one’s highest role may be managed', () => {
    const me = member(['11']);
    assert.ok(canManageRole(g, me, g.roles[1]));
    assert.ok(!canManageRole(g, me, g.roles[2]), 'not one’s own highest');
    assert.ok(canManageRole(g, me, g.roles[3]), 'same position, newer id');
    assert.ok(canManageMember(g, me, { userId: '5', roleIds: ['10'] }));
    assert.ok(!canManageMember(g, me, { userId: '5', roleIds: ['11'] }));
    assert.ok(!canManageMember(g, me, { userId: OWNER, roleIds: [] }), 'never the owner');
    assert.ok(
      canManageMember(g, { userId: OWNER, roleIds: [] }, { userId: '5', roleIds: ['11'] }),
      'the owner is above all',
    );
    assert.ok(canManageRole(g, { userId: OWNER, roleIds: [] }, g.roles[2]));
  });
  test('nobody grants what they lack, except administrators', () => {
    assert.equal(missingForGrant(P.SEND_MESSAGES, P.SEND_MESSAGES | P.BAN_MEMBERS), P.BAN_MEMBERS);
    assert.equal(missingForGrant(P.ADMINISTRATOR, ALL_PERMISSIONS), 0n);
  });
});

describe('serialization', () => {
  test('decimal strings round-trip; junk is refused; unknown bits are dropped', () => {
    assert.equal(
      parsePermissions(serializePermissions(P.BAN_MEMBERS | P.SEND_POLLS)),
      P.BAN_MEMBERS | P.SEND_POLLS,
    );
    for (const bad of ['', '-1', '1.5', 'x', '0x10', '1'.repeat(21)])
      assert.equal(parsePermissions(bad), null, bad);
    assert.equal(parsePermissions((1n << 47n).toString()), 0n);
    assert.deepEqual(permissionNames(P.KICK_MEMBERS | P.VIEW_CHANNEL), ['KICK_MEMBERS', 'VIEW_CHANNEL']);
  });
});

// ---- A second, deliberately naive implementation, straight from the documented pseudocode. ----
function naiveBase(g: GuildData, m: MemberData, now: Date): bigint {
  if (m.userId === g.ownerId) return ALL_PERMISSIONS;
  let everyone = 0n;
  for (const r of g.roles) if (r.id === g.id) everyone = r.permissions;
  let permissions = everyone;
  for (const rid of m.roleIds) {
    for (const r of g.roles) if (r.id === rid) permissions = permissions | r.permissions;
  }
  if ((permissions & P.ADMINISTRATOR) === P.ADMINISTRATOR) return ALL_PERMISSIONS;
  if (m.communicationDisabledUntil && new Date(m.communicationDisabledUntil) > now) {
    permissions = permissions & (P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY);
  }
  return permissions & ALL_PERMISSIONS;
}

function naiveChannel(g: GuildData, m: MemberData, overwrites: OverwriteData[], now: Date): bigint {
  const base = naiveBase(g, m, now);
  if ((base & P.ADMINISTRATOR) === P.ADMINISTRATOR) return ALL_PERMISSIONS;
  let permissions = base;
  for (const o of overwrites) {
    if (o.id === g.id && o.type === 0) {
      permissions &= ~o.deny;
      permissions |= o.allow;
    }
  }
  let allow = 0n;
  let deny = 0n;
  for (const rid of m.roleIds) {
    if (rid === g.id) continue;
    for (const o of overwrites) {
      if (o.type === 0 && o.id === rid) {
        allow |= o.allow;
        deny |= o.deny;
      }
    }
  }
  permissions &= ~deny;
  permissions |= allow;
  for (const o of overwrites) {
    if (o.type === 1 && o.id === m.userId) {
      permissions &= ~o.deny;
      permissions |= o.allow;
    }
  }
  if (m.communicationDisabledUntil && new Date(m.communicationDisabledUntil) > now) {
    permissions &= P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY;
  }
  if ((permissions & P.VIEW_CHANNEL) === 0n) return 0n;
  if ((permissions & P.SEND_MESSAGES) === 0n) {
    permissions &= ~(P.MENTION_EVERYONE | P.SEND_TTS_MESSAGES | P.ATTACH_FILES | P.EMBED_LINKS);
  }
  return permissions & ALL_PERMISSIONS;
}

const NOW = new Date('2026-06-01T00:00:00Z');
const bits = fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }).map((b) => b & ALL_PERMISSIONS);
// Bias toward sets that include VIEW_CHANNEL so the interesting paths are exercised.
const permSet = fc.oneof(
  bits,
  bits.map((b) => b | P.VIEW_CHANNEL | P.SEND_MESSAGES),
  bits.map((b) => b & ~P.ADMINISTRATOR),
);
const roleIds = ['10', '11', '12', '13', '14', '15', '16', '17'];
const scenario = fc
  .record({
    everyone: permSet,
    roles: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom(...roleIds),
        permissions: permSet,
        position: fc.integer({ min: 1, max: 5 }),
      }),
      {
        selector: (r) => r.id,
        maxLength: 8,
      },
    ),
    memberRoles: fc.subarray(roleIds),
    isOwner: fc.boolean(),
    timeout: fc.option(
      fc.date({ min: new Date('2026-05-01'), max: new Date('2026-07-01'), noInvalidDate: true }),
    ),
    overwrites: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom(GUILD, ME, '3', ...roleIds),
        allow: permSet,
        deny: permSet,
      }),
      { selector: (o) => o.id, maxLength: 6 },
    ),
  })
  .map((s) => {
    const g: GuildData = {
      id: GUILD,
      ownerId: s.isOwner ? ME : OWNER,
      roles: [role(GUILD, s.everyone, 0), ...s.roles],
    };
    const m: MemberData = {
      userId: ME,
      roleIds: s.memberRoles.filter((r) => s.roles.some((x) => x.id === r)),
      communicationDisabledUntil: s.timeout,
    };
    const overwrites: OverwriteData[] = s.overwrites.map((o) => ({
      ...o,
      type: o.id === ME || o.id === '3' ? 1 : 0,
    }));
    return { g, m, overwrites };
  });

describe('properties', () => {
  test('base permissions agree with the naive implementation', () => {
    fc.assert(
      fc.property(scenario, ({ g, m }) => computeBasePermissions(g, m, NOW) === naiveBase(g, m, NOW)),
      { numRuns: 3000 },
    );
  });
  test('channel permissions agree with the naive implementation', () => {
    fc.assert(
      fc.property(
        scenario,
        ({ g, m, overwrites }) =>
          computeChannelPermissions(g, m, overwrites, { now: NOW }) === naiveChannel(g, m, overwrites, NOW),
      ),
      { numRuns: 3000 },
    );
  });
  test('results stay within the defined bits; the owner always has all', () => {
    fc.assert(
      fc.property(scenario, ({ g, m, overwrites }) => {
        const perms = computeChannelPermissions(g, m, overwrites, { now: NOW });
        if ((perms & ~ALL_PERMISSIONS) !== 0n) return false;
        return (
          computeChannelPermissions({ ...g, ownerId: m.userId }, m, overwrites, { now: NOW }) ===
          ALL_PERMISSIONS
        );
      }),
      { numRuns: 1000 },
    );
  });
  test('allowing more in the member overwrite never removes a permission', () => {
    fc.assert(
      fc.property(scenario, permSet, ({ g, m, overwrites }, extra) => {
        const before = computeChannelPermissions(g, m, overwrites, { now: NOW });
        const others = overwrites.filter((o) => !(o.type === 1 && o.id === ME));
        const mine = overwrites.find((o) => o.type === 1 && o.id === ME) ?? {
          id: ME,
          type: 1 as const,
          allow: 0n,
          deny: 0n,
        };
        const after = computeChannelPermissions(
          g,
          m,
          [...others, { ...mine, allow: mine.allow | extra, deny: mine.deny & ~extra }],
          { now: NOW },
        );
        return (before & after) === before;
      }),
      { numRuns: 1000 },
    );
  });
  test('role order is strict: irreflexive and antisymmetric', () => {
    const r = fc.record({
      id: fc.constantFrom(...roleIds),
      permissions: fc.constant(0n),
      position: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(r, r, (a, b) => {
        if (compareRoles(a, a) !== 0) return false;
        if (a.id === b.id) return true;
        return Math.sign(compareRoles(a, b)) === -Math.sign(compareRoles(b, a)) && compareRoles(a, b) !== 0;
      }),
    );
  });
});
