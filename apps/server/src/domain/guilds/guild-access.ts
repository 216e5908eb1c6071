import {
  canManageMember,
  canManageRole,
  computeBasePermissions,
  computeChannelPermissions,
  type GuildData,
  hasPermission,
  type MemberData,
  type OverwriteData,
  Permission,
} from '@hearth/permissions';
import { ChannelType, ErrorCode, isThreadType } from '@hearth/protocol';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import {
  bans,
  channels,
  guilds,
  memberRoles,
  members,
  permissionOverwrites,
  roles,
} from '../../store/schema';
import { ApiError, missingPermissions, notFound } from '../errors';
import { type ChannelContext, loadChannelContext } from './channel-context';

export type GuildRow = typeof guilds.$inferSelect;
export type RoleRow = typeof roles.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;
export type OverwriteRow = typeof permissionOverwrites.$inferSelect;

/** A caller inside a guild: everything a permission decision needs, loaded once per request. */
export class GuildActor {
  constructor(
    readonly guild: GuildRow,
    readonly roles: RoleRow[],
    readonly member: MemberRow,
    readonly roleIds: string[],
    /** A signed-in non-member reading a public group (ADR 0031): every permission masked to PREVIEW_PERMISSIONS. */
    readonly preview = false,
  ) {}

  get userId(): string {
    return this.member.userId;
  }

  get isOwner(): boolean {
    return this.guild.ownerId === this.member.userId;
  }

  get data(): GuildData {
    return { id: this.guild.id, ownerId: this.guild.ownerId, roles: this.roles };
  }

  get memberData(): MemberData {
    return {
      userId: this.member.userId,
      roleIds: this.roleIds,
      communicationDisabledUntil: this.member.communicationDisabledUntil,
    };
  }

  /** Guild-level permissions. */
  get permissions(): bigint {
    const base = computeBasePermissions(this.data, this.memberData);
    return this.preview ? base & PREVIEW_PERMISSIONS : base;
  }

  /** Throws 403 Missing Permissions unless the caller holds every bit of `bits` in the guild. */
  require(bits: bigint): void {
    if (!hasPermission(this.permissions, bits)) throw missingPermissions();
  }

  /** Whether the caller holds at least one of `bits` in the guild. */
  hasAny(bits: bigint): boolean {
    return (this.permissions & bits) !== 0n;
  }

  /**
   * Discord's rule for stickers, emojis and scheduled events: creating needs `create` (or `manage`); changing or
   * deleting needs `manage`, or `create` for what the caller created. Else 403 Missing Permissions.
   */
  requireManageOrOwn(kinds: { manage: bigint; create: bigint }, creatorId: string | null | 'new'): void {
    const mine = creatorId === 'new' || creatorId === this.userId;
    if (!this.hasAny(mine ? kinds.manage | kinds.create : kinds.manage)) throw missingPermissions();
  }

  channelPermissions(overwrites: OverwriteRow[], opts: { isThread?: boolean } = {}): bigint {
    const bits = computeChannelPermissions(this.data, this.memberData, overwrites.map(toOverwriteData), opts);
    return this.preview ? bits & PREVIEW_PERMISSIONS : bits;
  }

  /**
   * What @everyone holds in a channel of this guild (no roles, no member overwrite): what Discord gives an
   * application that acts here only through a person's own install, its bot not being a member.
   */
  everyoneChannelPermissions(overwrites: OverwriteRow[], opts: { isThread?: boolean } = {}): bigint {
    return computeChannelPermissions(
      this.data,
      { userId: '0', roleIds: [] },
      overwrites.map(toOverwriteData),
      opts,
    );
  }

  canManageRole(role: RoleRow): boolean {
    return canManageRole(this.data, this.memberData, role);
  }

  canManageMember(target: { userId: string; roleIds: string[] }): boolean {
    return canManageMember(this.data, this.memberData, { userId: target.userId, roleIds: target.roleIds });
  }
}

/**
 * The most a previewing non-member may do in a public group (ADR 0031): what a member with no roles could read,
 * and nothing else; writing always needs membership.
 */
const PREVIEW_PERMISSIONS = Permission.VIEW_CHANNEL | Permission.READ_MESSAGE_HISTORY;

/** A guild that lets signed-in non-members read it: a listed group that anyone may join (ADR 0031). */
export function isPreviewable(guild: GuildRow): boolean {
  return guild.groupJoinMode === 'public' && guild.features.includes('DISCOVERABLE');
}

/** The stand-in membership of a previewing reader: no roles, joined never. */
function previewMember(guildId: string, userId: string): MemberRow {
  return {
    guildId,
    userId,
    nick: null,
    avatar: null,
    joinedAt: new Date(0),
    premiumSince: null,
    deaf: false,
    mute: false,
    pending: false,
    communicationDisabledUntil: null,
    flags: 0,
    temporary: false,
  };
}

async function isBanned(db: DbOrTx, guildId: string, userId: string): Promise<boolean> {
  const [ban] = await db
    .select({ userId: bans.userId })
    .from(bans)
    .where(and(eq(bans.guildId, guildId), eq(bans.userId, userId)));
  return !!ban;
}

/**
 * For read-only routes: the caller as a member, or, in a public listed group that does not ban them, as a
 * previewing reader (ADR 0031) whose permissions are those of a member with no roles, masked to
 * PREVIEW_PERMISSIONS. Anything else is 404 Unknown Guild, as for loadGuildActor.
 */
export async function loadGuildReader(db: DbOrTx, guildId: string, userId: string): Promise<GuildActor> {
  try {
    return await loadGuildActor(db, guildId, userId);
  } catch (err) {
    const [guild] = await db.select().from(guilds).where(eq(guilds.id, guildId));
    if (!guild || !isPreviewable(guild) || (await isBanned(db, guildId, userId))) throw err;
    const roleRows = await db.select().from(roles).where(eq(roles.guildId, guildId));
    return previewActor(guild, roleRows, userId);
  }
}

/** A previewing non-member of a public listed group (ADR 0031), from rows already read: no roles, masked bits. */
export function previewActor(guild: GuildRow, roleRows: RoleRow[], userId: string): GuildActor {
  return new GuildActor(guild, roleRows, previewMember(guild.id, userId), [], true);
}

/**
 * A channel context read for a caller who is not a member (its roles and overwrites are left out by the context
 * query), completed as a previewing reader's when the channel's guild is a public listed group that does not ban
 * them; else the context as it was (which channelForActor refuses).
 */
export async function previewChannelContext(db: DbOrTx, ctx: ChannelContext): Promise<ChannelContext> {
  const { guild, channel, caller } = ctx;
  if (ctx.member || !guild || !caller || !isPreviewable(guild)) return ctx;
  if (await isBanned(db, guild.id, caller.id)) return ctx;
  const source = isThreadType(channel.type) && channel.parentId ? channel.parentId : channel.id;
  const [roleRows, overwriteRows] = await Promise.all([
    db.select().from(roles).where(eq(roles.guildId, guild.id)),
    db.select().from(permissionOverwrites).where(eq(permissionOverwrites.channelId, source)),
  ]);
  return {
    ...ctx,
    member: previewMember(guild.id, caller.id),
    roleIds: [],
    roles: roleRows,
    overwrites: overwriteRows,
    preview: true,
  };
}

/** The permissions behind requireManageOrOwn for guild expressions (emojis, stickers). */
export const Expressions = {
  manage: Permission.MANAGE_GUILD_EXPRESSIONS,
  create: Permission.CREATE_GUILD_EXPRESSIONS,
};
/** The permissions behind requireManageOrOwn for scheduled events. */
export const Events = { manage: Permission.MANAGE_EVENTS, create: Permission.CREATE_EVENTS };

/** A channel as permission decisions from cached data need it (the gateway's caches). */
export interface CachedChannel {
  id: string;
  type: number;
  parentId: string | null;
  overwrites: OverwriteData[];
}

/** In a query over `members`: each member's role ids, as a column (an array of decimal strings). */
export const memberRoleIds = sql<
  string[]
>`coalesce((select array_agg(${memberRoles.roleId}::text) from ${memberRoles} where ${memberRoles.guildId} = ${members.guildId} and ${memberRoles.userId} = ${members.userId}), '{}')`;

export function toOverwriteData(o: OverwriteRow): OverwriteData {
  return { id: o.targetId, type: o.type === 1 ? 1 : 0, allow: o.allow, deny: o.deny };
}

/**
 * Loads the caller as a member of a guild. A guild that does not exist and one the caller is not in look the same:
 * 404 Unknown Guild, so outsiders learn nothing.
 */
export async function loadGuildActor(db: DbOrTx, guildId: string, userId: string): Promise<GuildActor> {
  const [row] = await db
    .select({ guild: guilds, member: members })
    .from(members)
    .innerJoin(guilds, eq(guilds.id, members.guildId))
    .where(and(eq(members.guildId, guildId), eq(members.userId, userId)));
  if (!row) throw notFound(ErrorCode.UnknownGuild, 'Guild');
  const [roleRows, mine] = await Promise.all([
    db.select().from(roles).where(eq(roles.guildId, guildId)),
    db
      .select({ roleId: memberRoles.roleId })
      .from(memberRoles)
      .where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId))),
  ]);
  return new GuildActor(
    row.guild,
    roleRows,
    row.member,
    mine.map((r) => r.roleId),
  );
}

/**
 * Locks a guild's row for the rest of the transaction: `share` for joining (joins run side by side), `update`
 * for banning or deleting, so that a ban and a join of the same user, or a deletion and a join, cannot both
 * succeed by running at once. 404 Unknown Guild when the guild is gone.
 */
export async function lockGuild(tx: DbOrTx, guildId: string, mode: 'share' | 'update'): Promise<void> {
  const [row] = await tx.select({ id: guilds.id }).from(guilds).where(eq(guilds.id, guildId)).for(mode);
  if (!row) throw notFound(ErrorCode.UnknownGuild, 'Guild');
}

/**
 * Locks the channel rows `where` selects, in ascending id order, and returns their ids. Every transaction that locks
 * several channels does so in this order (as the trigger keeping last_message_id does for a statement that writes
 * to several channels, ADR 0014), so that no two of them can each hold a channel the other waits for.
 */
export async function lockChannels(tx: DbOrTx, where: SQL | undefined): Promise<string[]> {
  const rows = await tx
    .select({ id: channels.id })
    .from(channels)
    .where(where)
    .orderBy(channels.id)
    .for('update');
  return rows.map((r) => r.id);
}

/** In a joining transaction: holds off bans of this guild until commit, and refuses a banned user (40007). */
export async function admitToGuild(tx: DbOrTx, guildId: string, userId: string): Promise<void> {
  await lockGuild(tx, guildId, 'share');
  const [ban] = await tx
    .select({ userId: bans.userId })
    .from(bans)
    .where(and(eq(bans.guildId, guildId), eq(bans.userId, userId)));
  if (ban) throw new ApiError(403, ErrorCode.UserBannedFromGuild, 'The user is banned from this guild');
}

/**
 * The one rule for private threads (type 12), applied by every path that decides access to a channel: the caller's
 * permissions there (computed from the parent's overwrites) count only for a member of the thread or someone who
 * may manage threads; anyone else has none, as if the thread did not exist.
 */
export function privateThreadRule(type: number, permissions: bigint, isThreadMember: boolean): bigint {
  if (
    type !== ChannelType.PrivateThread ||
    isThreadMember ||
    hasPermission(permissions, Permission.MANAGE_THREADS)
  )
    return permissions;
  return 0n;
}

/**
 * A guild channel the caller can see, with the overwrites that govern it and the caller's permissions in it; else
 * 404 Unknown Channel. With `preview` (read-only routes), a non-member of a public listed group reads it as
 * previewChannelContext allows. A thread takes its parent's overwrites and is sent to with SEND_MESSAGES_IN_THREADS; a private
 * thread is visible only to its members and to those who may manage threads.
 */
export async function loadChannelForActor(
  db: DbOrTx,
  channelId: string,
  userId: string,
  opts: { preview?: boolean } = {},
): Promise<ChannelForActor> {
  const ctx = await loadChannelContext(db, channelId, userId);
  return channelForActor(ctx && opts.preview ? await previewChannelContext(db, ctx) : ctx);
}

export interface ChannelForActor {
  actor: GuildActor;
  channel: ChannelRow;
  overwrites: OverwriteRow[];
  permissions: bigint;
}

/** The decision behind loadChannelForActor, on a channel context already read. */
export function channelForActor(ctx: ChannelContext | null): ChannelForActor {
  if (!ctx?.channel.guildId || !ctx.guild || !ctx.member) throw notFound(ErrorCode.UnknownChannel, 'Channel');
  const { channel, overwrites } = ctx;
  const actor = new GuildActor(ctx.guild, ctx.roles, ctx.member, ctx.roleIds, ctx.preview === true);
  const thread = isThreadType(channel.type);
  const permissions = privateThreadRule(
    channel.type,
    actor.channelPermissions(overwrites, { isThread: thread }),
    ctx.threadMember,
  );
  if (permissions === 0n) throw notFound(ErrorCode.UnknownChannel, 'Channel');
  return { actor, channel, overwrites, permissions };
}
