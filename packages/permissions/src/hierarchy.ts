import { ALL_PERMISSIONS, Permission } from './bits';
import type { GuildData, MemberData, RoleData } from './compute';

/** >0 when role a is above role b: higher position, or on a tie the older (smaller) id. */
export function compareRoles(a: RoleData, b: RoleData): number {
  if (a.position !== b.position) return a.position - b.position;
  if (a.id === b.id) return 0;
  return BigInt(a.id) < BigInt(b.id) ? 1 : -1;
}

/** The member's highest role; @everyone when they have none. */
export function highestRole(guild: GuildData, member: MemberData): RoleData | undefined {
  const mine = new Set(member.roleIds);
  let top: RoleData | undefined = guild.roles.find((r) => r.id === guild.id);
  for (const role of guild.roles) {
    if (mine.has(role.id) && (!top || compareRoles(role, top) > 0)) top = role;
  }
  return top;
}

/** Whether `actor` may edit, assign or delete `role`: the owner may; others only roles strictly below their highest. */
export function canManageRole(guild: GuildData, actor: MemberData, role: RoleData): boolean {
  if (actor.userId === guild.ownerId) return true;
  const top = highestRole(guild, actor);
  return !!top && compareRoles(top, role) > 0;
}

/** Whether `actor` may moderate `target`: never the owner; the owner any other; others only below their highest role. */
export function canManageMember(guild: GuildData, actor: MemberData, target: MemberData): boolean {
  if (target.userId === guild.ownerId) return false;
  if (actor.userId === guild.ownerId) return true;
  if (actor.userId === target.userId) return false;
  const mine = highestRole(guild, actor);
  const theirs = highestRole(guild, target);
  if (!mine) return false;
  if (!theirs) return true;
  return compareRoles(mine, theirs) > 0;
}

/**
 * The bits in `requested` that an actor holding `actorPermissions` may not grant: nobody hands out what they
 * lack, except administrators (who hold everything).
 */
export function missingForGrant(actorPermissions: bigint, requested: bigint): bigint {
  if (actorPermissions & Permission.ADMINISTRATOR) return 0n;
  return requested & ~actorPermissions & ALL_PERMISSIONS;
}
