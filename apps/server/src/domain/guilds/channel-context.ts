import { and, eq, sql } from 'drizzle-orm';
import { channelTypeIn } from '../../store/channel-kinds';
import { type DbOrTx, preparedStatement } from '../../store/db';
import { fromJson, rowJson } from '../../store/json-rows';
import {
  channelRecipients,
  channels,
  guilds,
  memberRoles,
  members,
  permissionOverwrites,
  roles,
  threadMembers,
  users,
} from '../../store/schema';

type ChannelRow = typeof channels.$inferSelect;
type GuildRow = typeof guilds.$inferSelect;
type MemberRow = typeof members.$inferSelect;
type RoleRow = typeof roles.$inferSelect;
type OverwriteRow = typeof permissionOverwrites.$inferSelect;
type UserRow = typeof users.$inferSelect;

/** Everything a caller's access to one channel depends on, read in one statement. */
export interface ChannelContext {
  channel: ChannelRow;
  /** The channel's guild; null for DMs. */
  guild: GuildRow | null;
  /** The caller's membership of that guild; null when not a member (or in DMs). */
  member: MemberRow | null;
  roleIds: string[];
  roles: RoleRow[];
  /** The overwrites that govern the channel: its own, or its parent's for a thread. */
  overwrites: OverwriteRow[];
  /** The caller is a recipient of this DM / group DM. */
  recipient: boolean;
  /** The caller has joined this thread. */
  threadMember: boolean;
  /** The caller's own user row (what a message they write is authored by). */
  caller: UserRow | null;
  /** `member` is a stand-in: the caller previews a public group without being in it (ADR 0031). */
  preview?: boolean;
}

const isThread = channelTypeIn(channels.type, 'thread');
const overwriteSource = sql`case when ${isThread} and ${channels.parentId} is not null then ${channels.parentId} else ${channels.id} end`;

const userId = sql.placeholder('userId');

function buildContextQuery(db: DbOrTx) {
  return db
    .select({
      channel: channels,
      guild: guilds,
      member: members,
      caller: users,
      roleIds: sql<
        string[]
      >`coalesce((select json_agg(${memberRoles.roleId}::text) from ${memberRoles} where ${memberRoles.guildId} = ${channels.guildId} and ${memberRoles.userId} = ${userId}), '[]'::json)`,
      roles: sql<
        Array<Record<string, unknown>>
      >`coalesce((select json_agg(${rowJson(roles)}) from ${roles} where ${roles.guildId} = ${channels.guildId} and ${members.userId} is not null), '[]'::json)`,
      overwrites: sql<
        Array<Record<string, unknown>>
      >`coalesce((select json_agg(${rowJson(permissionOverwrites)}) from ${permissionOverwrites} where ${permissionOverwrites.channelId} = ${overwriteSource} and ${members.userId} is not null), '[]'::json)`,
      recipient: sql<boolean>`exists(select 1 from ${channelRecipients} where ${channelRecipients.channelId} = ${channels.id} and ${channelRecipients.userId} = ${userId})`,
      threadMember: sql<boolean>`exists(select 1 from ${threadMembers} where ${threadMembers.channelId} = ${channels.id} and ${threadMembers.userId} = ${userId})`,
    })
    .from(channels)
    .leftJoin(guilds, eq(guilds.id, channels.guildId))
    .leftJoin(members, and(eq(members.guildId, channels.guildId), eq(members.userId, userId)))
    .leftJoin(users, eq(users.id, userId))
    .where(eq(channels.id, sql.placeholder('channelId')));
}

/** Prepared on the server: it runs on every message route. */
const contextQuery = preparedStatement('channel_context', buildContextQuery);

/**
 * The channel, its guild, the caller's user row and membership, member roles, the guild's roles and the governing overwrites (or,
 * in DMs, the caller's recipiency) in one statement; null when the channel does not exist. Deciding what the caller
 * may do is the caller's job (guild-access.ts, message-channel.ts), through @hearth/permissions.
 */
export async function loadChannelContext(
  db: DbOrTx,
  channelId: string,
  userId: string,
): Promise<ChannelContext | null> {
  const [row] = await contextQuery(db).execute({ channelId, userId });
  if (!row) return null;
  return {
    channel: row.channel,
    guild: row.guild,
    member: row.member,
    roleIds: row.roleIds,
    roles: fromJson<RoleRow>(roles, row.roles),
    overwrites: fromJson<OverwriteRow>(permissionOverwrites, row.overwrites),
    recipient: !!row.recipient,
    threadMember: !!row.threadMember,
    caller: row.caller,
  };
}
