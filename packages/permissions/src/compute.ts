import { ALL_PERMISSIONS, Permission } from './bits';

export interface RoleData {
  id: string;
  permissions: bigint;
  position: number;
}

/** A channel permission overwrite: type 0 for a role, 1 for a member. */
export interface OverwriteData {
  id: string;
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface MemberData {
  userId: string;
  roleIds: readonly string[];
  communicationDisabledUntil?: Date | string | null;
}

export interface GuildData {
  id: string;
  ownerId: string;
  roles: readonly RoleData[];
}

const P = Permission;
/** What a timed-out member keeps. */
const TIMEOUT_ALLOWED = P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY;
/** What depends on being able to send. */
const SEND_DEPENDANTS = P.MENTION_EVERYONE | P.SEND_TTS_MESSAGES | P.ATTACH_FILES | P.EMBED_LINKS;

export function isTimedOut(member: MemberData, now: Date = new Date()): boolean {
  const until = member.communicationDisabledUntil;
  return until != null && new Date(until).getTime() > now.getTime();
}

/** Guild-level permissions: owner → all; @everyone OR member roles; ADMINISTRATOR → all; timeout restricts. */
export function computeBasePermissions(guild: GuildData, member: MemberData, now: Date = new Date()): bigint {
  if (member.userId === guild.ownerId) return ALL_PERMISSIONS;
  const mine = new Set(member.roleIds);
  let perms = 0n;
  for (const role of guild.roles) {
    if (role.id === guild.id || mine.has(role.id)) perms |= role.permissions;
  }
  if (perms & P.ADMINISTRATOR) return ALL_PERMISSIONS;
  if (isTimedOut(member, now)) perms &= TIMEOUT_ALLOWED;
  return perms & ALL_PERMISSIONS;
}

/** Applies a channel's overwrites to base permissions: @everyone, then the member's roles combined, then the member. */
export function applyOverwrites(
  base: bigint,
  guild: GuildData,
  member: MemberData,
  overwrites: readonly OverwriteData[],
): bigint {
  if (base & P.ADMINISTRATOR) return ALL_PERMISSIONS;
  let perms = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.id === guild.id);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  const mine = new Set(member.roleIds);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== guild.id && mine.has(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === member.userId);
  if (own) perms = (perms & ~own.deny) | own.allow;
  return perms & ALL_PERMISSIONS;
}

/**
 * A member's permissions in a channel, with Discord's implicit rules: no VIEW_CHANNEL means nothing; without
 * the right to send (SEND_MESSAGES, or SEND_MESSAGES_IN_THREADS in a thread) its dependants go too; a timed-out
 * member keeps only VIEW_CHANNEL and READ_MESSAGE_HISTORY. For a thread, pass the parent channel's overwrites.
 */
export function computeChannelPermissions(
  guild: GuildData,
  member: MemberData,
  overwrites: readonly OverwriteData[],
  opts: { now?: Date; isThread?: boolean } = {},
): bigint {
  const now = opts.now ?? new Date();
  const base = computeBasePermissions(guild, member, now);
  // The owner and administrators hold everything; overwrites cannot take it away (nor grant ADMINISTRATOR).
  if (base & P.ADMINISTRATOR) return ALL_PERMISSIONS;
  let perms = applyOverwrites(base, guild, member, overwrites);
  if (isTimedOut(member, now)) perms &= TIMEOUT_ALLOWED;
  if (!(perms & P.VIEW_CHANNEL)) return 0n;
  const send = opts.isThread ? P.SEND_MESSAGES_IN_THREADS : P.SEND_MESSAGES;
  if (!(perms & send)) perms &= ~SEND_DEPENDANTS;
  return perms;
}
