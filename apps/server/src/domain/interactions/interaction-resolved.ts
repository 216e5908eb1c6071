import { computeChannelPermissions, hasPermission, Permission } from '@hearth/permissions';
import { ChannelType, isThreadType } from '@hearth/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import {
  channels,
  memberRoles,
  members,
  messages,
  permissionOverwrites,
  roles,
  users,
} from '../../store/schema';
import type { Deps } from '../deps';
import { type ChannelForActor, type ChannelRow, toOverwriteData } from '../guilds/guild-access';
import { toMemberWire, toRoleWire } from '../guilds/guilds.wire';
import { hydrateMessages, type MessageRow, messageColumns } from '../messages/messages.wire';
import { toPublicUser } from '../users/users.wire';
import type { Resolved } from './command-options';
import type { Json } from './interaction-common';

type Named = { resolved: Json; any: boolean; found: (id: string) => boolean };

/**
 * Discord's `resolved`: the users (with members), roles, channels and messages an interaction names. In the DM with
 * the bot there are no members, roles or other channels: users and the DM's messages only.
 */
export async function resolveNamed(
  db: DbOrTx,
  attachmentUrls: Deps['attachmentUrls'],
  place: { channel: ChannelRow; where: ChannelForActor | null },
  want: Resolved,
): Promise<Named> {
  const where = place.where;
  if (!where) return resolveInDm(db, attachmentUrls, place.channel.id, want);
  const guildId = where.channel.guildId!;
  const channelId = where.channel.id;
  const userIds = [...new Set([...want.users, ...want.mentionables])];
  const roleIds = [...new Set([...want.roles, ...want.mentionables])];
  const [userRows, memberRows, roleRows, channelRows, messageRows] = await Promise.all([
    userIds.length ? db.select().from(users).where(inArray(users.id, userIds)) : [],
    userIds.length
      ? db
          .select()
          .from(members)
          .where(and(eq(members.guildId, guildId), inArray(members.userId, userIds)))
      : [],
    roleIds.length
      ? db
          .select()
          .from(roles)
          .where(and(eq(roles.guildId, guildId), inArray(roles.id, roleIds)))
      : [],
    want.channels.size
      ? db
          .select()
          .from(channels)
          .where(and(eq(channels.guildId, guildId), inArray(channels.id, [...want.channels])))
      : [],
    want.messages.size
      ? db
          .select(messageColumns)
          .from(messages)
          .where(and(eq(messages.channelId, channelId), inArray(messages.id, [...want.messages])))
      : [],
  ]);
  const memberRoleRows = memberRows.length
    ? await db
        .select()
        .from(memberRoles)
        .where(
          and(
            eq(memberRoles.guildId, guildId),
            inArray(
              memberRoles.userId,
              memberRows.map((m) => m.userId),
            ),
          ),
        )
    : [];
  const overwriteRows = channelRows.length
    ? await db
        .select()
        .from(permissionOverwrites)
        .where(
          inArray(
            permissionOverwrites.channelId,
            channelRows.map((c) => c.id),
          ),
        )
    : [];
  const resolved: Json = {};
  const found = new Set<string>();
  if (userRows.length) {
    resolved.users = Object.fromEntries(userRows.map((u) => [u.id, toPublicUser(u)]));
    for (const u of userRows) found.add(u.id);
  }
  if (memberRows.length)
    resolved.members = Object.fromEntries(
      memberRows.map((m) => {
        const roleIdsOf = memberRoleRows.filter((r) => r.userId === m.userId).map((r) => r.roleId);
        const { user: _user, ...member } = toMemberWire(m, roleIdsOf);
        // Their permissions in the interaction's channel, as Discord resolves members.
        const permissions = computeChannelPermissions(
          where.actor.data,
          {
            userId: m.userId,
            roleIds: roleIdsOf,
            communicationDisabledUntil: m.communicationDisabledUntil,
          },
          where.overwrites.map(toOverwriteData),
          { isThread: isThreadType(where.channel.type) },
        );
        return [m.userId, { ...member, permissions: permissions.toString() }];
      }),
    );
  if (roleRows.length) {
    resolved.roles = Object.fromEntries(roleRows.map((r) => [r.id, toRoleWire(r)]));
    for (const r of roleRows) found.add(r.id);
  }
  // Only channels the invoker can see are named (any other is as unknown as a channel elsewhere).
  const visible = channelRows.flatMap((c) => {
    const permissions = where.actor.channelPermissions(
      overwriteRows.filter((o) => o.channelId === c.id),
      { isThread: isThreadType(c.type) },
    );
    const privateThread =
      c.type === ChannelType.PrivateThread && !hasPermission(permissions, Permission.MANAGE_THREADS);
    return hasPermission(permissions, Permission.VIEW_CHANNEL) && !privateThread ? [{ c, permissions }] : [];
  });
  if (visible.length) {
    resolved.channels = Object.fromEntries(
      visible.map(({ c, permissions }) => [
        c.id,
        {
          id: c.id,
          name: c.name,
          type: c.type,
          parent_id: c.parentId ?? null,
          // The invoker's permissions there, as Discord resolves channels.
          permissions: permissions.toString(),
        },
      ]),
    );
    for (const { c } of visible) found.add(c.id);
  }
  if (messageRows.length) {
    const hydrated = await hydrateMessages(db, attachmentUrls, messageRows as MessageRow[]);
    resolved.messages = Object.fromEntries(hydrated.map((m) => [m.id, m]));
    for (const m of messageRows) found.add(m.id);
  }
  return { resolved, any: Object.keys(resolved).length > 0, found: (id: string) => found.has(id) };
}

async function resolveInDm(
  db: DbOrTx,
  attachmentUrls: Deps['attachmentUrls'],
  channelId: string,
  want: Resolved,
): Promise<Named> {
  const userIds = [...new Set([...want.users, ...want.mentionables])];
  const [userRows, messageRows] = await Promise.all([
    userIds.length ? db.select().from(users).where(inArray(users.id, userIds)) : [],
    want.messages.size
      ? db
          .select(messageColumns)
          .from(messages)
          .where(and(eq(messages.channelId, channelId), inArray(messages.id, [...want.messages])))
      : [],
  ]);
  const resolved: Json = {};
  const found = new Set<string>([...userRows.map((u) => u.id), ...messageRows.map((m) => m.id)]);
  if (userRows.length) resolved.users = Object.fromEntries(userRows.map((u) => [u.id, toPublicUser(u)]));
  if (messageRows.length)
    resolved.messages = Object.fromEntries(
      (await hydrateMessages(db, attachmentUrls, messageRows as MessageRow[])).map((m) => [m.id, m]),
    );
  return { resolved, any: found.size > 0, found: (id: string) => found.has(id) };
}
