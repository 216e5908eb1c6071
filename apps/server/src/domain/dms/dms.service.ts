import { type Channel, ChannelType, ErrorCode, MessageType } from '@hearth/protocol';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { fromJson, jsonList, rowJson } from '../../store/json-rows';
import { channelRecipients, channels, dmPairs, messages, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions, notFound } from '../errors';
import type { ChannelRow } from '../guilds/guild-access';
import { storeImage } from '../images';
import { deleteChannelContent, deleteChannelFiles } from '../messages/channel-content';
import { hydrateMessages, messageColumns } from '../messages/messages.wire';
import { PendingEvents } from '../pending-events';
import { toPublicUser } from '../users/users.wire';
import type { CallsService } from '../voice/calls.service';
import { toDmWire } from './dms.wire';

const MAX_GROUP_RECIPIENTS = 10;
const unknownChannel = () => notFound(ErrorCode.UnknownChannel, 'Channel');

/** Direct messages between two people, and group DMs of up to ten. */
export class DmsService {
  constructor(
    private readonly deps: Deps,
    private readonly calls: CallsService,
  ) {}

  /** POST /users/@me/channels {recipient_id}: the one DM between two people, created on first use. */
  async open(principal: Principal, recipientId: string): Promise<Channel> {
    const { db, ids } = this.deps;
    if (recipientId === principal.userId)
      throw invalidField(['recipient_id'], 'DM_SELF', 'You cannot open a DM with yourself.');
    const [recipient] = await db.select().from(users).where(eq(users.id, recipientId));
    if (!recipient) throw notFound(ErrorCode.UnknownUser, 'User');
    const existing = await this.pairChannel(db, principal.userId, recipientId);
    if (existing) {
      await db
        .update(dmPairs)
        .set({ closed: false })
        .where(and(eq(dmPairs.userId, principal.userId), eq(dmPairs.recipientId, recipientId)));
      return this.toWire(db, existing, principal.userId);
    }
    const id = ids.next();
    const channel = await db.transaction(async (tx) => {
      // Both sides insert their row; a concurrent open of the same pair loses on the key and reuses the winner's channel.
      const inserted = await tx
        .insert(dmPairs)
        .values([
          { userId: principal.userId, recipientId, channelId: id },
          { userId: recipientId, recipientId: principal.userId, channelId: id, closed: true },
        ])
        .onConflictDoNothing()
        .returning();
      if (inserted.length < 2) return null;
      const [row] = await tx.insert(channels).values({ id, type: ChannelType.DM }).returning();
      await tx.insert(channelRecipients).values([
        { channelId: id, userId: principal.userId },
        { channelId: id, userId: recipientId },
      ]);
      return row;
    });
    const row = channel ?? (await this.pairChannel(db, principal.userId, recipientId));
    if (!row) throw unknownChannel();
    const wire = await this.toWire(db, row, principal.userId);
    if (channel) {
      this.deps.events.publish('CHANNEL_CREATE', Topic.user(principal.userId), wire);
      // Internal: the recipient's gateway sessions start following the DM (Discord sends them nothing until a message).
      this.deps.events.publish('DM_RECIPIENT', Topic.user(recipientId), { channel_id: id });
    }
    return wire;
  }

  /** POST /users/@me/channels {recipients}: a group DM owned by the caller, up to ten people in all. */
  async createGroup(principal: Principal, recipientIds: string[]): Promise<Channel> {
    const { db, ids } = this.deps;
    const everyone = [...new Set([principal.userId, ...recipientIds])];
    if (everyone.length > MAX_GROUP_RECIPIENTS)
      throw invalidField(
        ['recipients'],
        'BASE_TYPE_MAX_LENGTH',
        `A group DM has at most ${MAX_GROUP_RECIPIENTS} people.`,
      );
    const found = await db.select({ id: users.id }).from(users).where(inArray(users.id, everyone));
    if (found.length !== everyone.length) throw invalidField(['recipients'], 'USER_INVALID', 'Unknown user.');
    const id = ids.next();
    const row = await db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(channels)
        .values({ id, type: ChannelType.GroupDM, ownerId: principal.userId })
        .returning();
      await tx.insert(channelRecipients).values(everyone.map((userId) => ({ channelId: id, userId })));
      return inserted;
    });
    const pending = new PendingEvents();
    for (const userId of everyone)
      pending.add('CHANNEL_CREATE', Topic.user(userId), await this.toWire(db, row, userId));
    pending.publish(this.deps.events);
    return this.toWire(db, row, principal.userId);
  }

  /** GET /users/@me/channels: open DMs and group DMs, most recent first. */
  async list(principal: Principal): Promise<Channel[]> {
    const [row] = await this.deps.db
      .select({ list: openDmsJson(principal.userId) })
      .from(users)
      .where(eq(users.id, principal.userId));
    return openDmsFromJson(row?.list ?? [], principal.userId);
  }

  /** A DM channel for one of its recipients; 404 for anyone else. */
  async get(principal: Principal, channel: ChannelRow): Promise<Channel> {
    await this.requireRecipient(this.deps.db, channel.id, principal.userId);
    return this.toWire(this.deps.db, channel, principal.userId);
  }

  /** PATCH a group DM: name and icon, by any recipient, each change with its system message. */
  async modifyGroup(
    principal: Principal,
    channel: ChannelRow,
    input: { name?: string | null; icon?: string | null },
  ): Promise<Channel> {
    const { db } = this.deps;
    await this.requireRecipient(db, channel.id, principal.userId);
    if (channel.type !== ChannelType.GroupDM)
      throw new ApiError(400, ErrorCode.InvalidFormBody, 'Only group DMs can be renamed');
    const changes: Partial<ChannelRow> = {};
    const systems: number[] = [];
    if (input.name !== undefined) {
      changes.name = input.name || null;
      systems.push(MessageType.ChannelNameChange);
    }
    if (input.icon !== undefined) {
      changes.icon = await storeImage(
        this.deps,
        {
          purpose: 'group_icon',
          folder: `channel-icons/${channel.id}`,
          ownerId: channel.id,
          width: 512,
          height: 512,
          field: 'icon',
        },
        input.icon,
      );
      systems.push(MessageType.ChannelIconChange);
    }
    if (!systems.length) return this.toWire(db, channel, principal.userId);
    const pending = new PendingEvents();
    const row = await db.transaction(async (tx) => {
      const [updated] = await tx.update(channels).set(changes).where(eq(channels.id, channel.id)).returning();
      for (const type of systems)
        await this.systemMessage(
          tx,
          pending,
          updated,
          principal.userId,
          type,
          type === MessageType.ChannelNameChange ? (changes.name ?? '') : '',
        );
      return updated;
    });
    pending.add('CHANNEL_UPDATE', Topic.channel(channel.id), await this.toWire(db, row, null));
    pending.publish(this.deps.events);
    return this.toWire(db, row, principal.userId);
  }

  /** PUT /channels/:id/recipients/:user_id: the group owner adds someone (up to ten people). */
  async addRecipient(principal: Principal, channelId: string, userId: string): Promise<void> {
    const { db } = this.deps;
    const channel = await this.groupOwnedBy(db, channelId, principal.userId);
    const [user] = await db.select().from(users).where(eq(users.id, userId));
    if (!user) throw notFound(ErrorCode.UnknownUser, 'User');
    const pending = new PendingEvents();
    const added = await db.transaction(async (tx) => {
      const current = await tx
        .select()
        .from(channelRecipients)
        .where(eq(channelRecipients.channelId, channelId));
      if (current.some((r) => r.userId === userId)) return false;
      if (current.length >= MAX_GROUP_RECIPIENTS)
        throw new ApiError(
          400,
          ErrorCode.InvalidFormBody,
          `A group DM has at most ${MAX_GROUP_RECIPIENTS} people`,
        );
      await tx.insert(channelRecipients).values({ channelId, userId });
      await this.systemMessage(tx, pending, channel, principal.userId, MessageType.RecipientAdd, '', [
        userId,
      ]);
      pending.add('CHANNEL_RECIPIENT_ADD', Topic.channel(channelId), {
        channel_id: channelId,
        user: toPublicUser(user),
      });
      return true;
    });
    if (!added) return;
    // The new recipient's sessions learn of the channel first, so they also get its system message.
    this.deps.events.publish('CHANNEL_CREATE', Topic.user(userId), await this.toWire(db, channel, userId));
    pending.publish(this.deps.events);
  }

  /** DELETE /channels/:id/recipients/:user_id: the group owner removes someone. */
  async removeRecipient(principal: Principal, channelId: string, userId: string): Promise<void> {
    const { db } = this.deps;
    const channel = await this.groupOwnedBy(db, channelId, principal.userId);
    if (userId === principal.userId) {
      await this.close(principal, channel);
      return;
    }
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      // Out of the group, out of its call.
      await this.calls.recipientGone(tx, pending, channelId, userId);
      const removed = await tx
        .delete(channelRecipients)
        .where(and(eq(channelRecipients.channelId, channelId), eq(channelRecipients.userId, userId)))
        .returning();
      if (!removed.length) throw notFound(ErrorCode.UnknownUser, 'Recipient');
      await this.systemMessage(tx, pending, channel, principal.userId, MessageType.RecipientRemove, '', [
        userId,
      ]);
    });
    const [user] = await db.select().from(users).where(eq(users.id, userId));
    pending.add('CHANNEL_RECIPIENT_REMOVE', Topic.channel(channelId), {
      channel_id: channelId,
      user: toPublicUser(user),
    });
    pending.add('CHANNEL_DELETE', Topic.user(userId), { id: channelId, type: ChannelType.GroupDM });
    pending.publish(this.deps.events);
  }

  /**
   * DELETE /channels/:id on a DM hides it until the next message; on a group DM it leaves (ownership passes on, and
   * the last one out deletes the group).
   */
  async close(principal: Principal, channel: ChannelRow): Promise<Channel> {
    const { db } = this.deps;
    await this.requireRecipient(db, channel.id, principal.userId);
    const wire = await this.toWire(db, channel, principal.userId);
    if (channel.type === ChannelType.DM) {
      await db
        .update(dmPairs)
        .set({ closed: true })
        .where(and(eq(dmPairs.userId, principal.userId), eq(dmPairs.channelId, channel.id)));
      this.deps.events.publish('CHANNEL_DELETE', Topic.user(principal.userId), wire);
      return wire;
    }
    const pending = new PendingEvents();
    const emptied = await db.transaction(async (tx) => {
      await this.calls.recipientGone(tx, pending, channel.id, principal.userId);
      await tx
        .delete(channelRecipients)
        .where(
          and(eq(channelRecipients.channelId, channel.id), eq(channelRecipients.userId, principal.userId)),
        );
      const rest = await tx
        .select()
        .from(channelRecipients)
        .where(eq(channelRecipients.channelId, channel.id));
      if (!rest.length) {
        await deleteChannelContent(tx, [channel.id]);
        await tx.delete(channels).where(eq(channels.id, channel.id));
        return true;
      }
      if (channel.ownerId === principal.userId)
        await tx.update(channels).set({ ownerId: rest[0].userId }).where(eq(channels.id, channel.id));
      await this.systemMessage(tx, pending, channel, principal.userId, MessageType.RecipientRemove, '', [
        principal.userId,
      ]);
      const [user] = await tx.select().from(users).where(eq(users.id, principal.userId));
      pending.add('CHANNEL_RECIPIENT_REMOVE', Topic.channel(channel.id), {
        channel_id: channel.id,
        user: toPublicUser(user),
      });
      return false;
    });
    if (emptied) await deleteChannelFiles(this.deps, [channel.id]);
    pending.add('CHANNEL_DELETE', Topic.user(principal.userId), wire);
    pending.publish(this.deps.events);
    return wire;
  }

  /** The other person of a DM (for block checks); null in group DMs. */
  async otherRecipient(db: DbOrTx, channel: ChannelRow, userId: string): Promise<string | null> {
    if (channel.type !== ChannelType.DM) return null;
    const [row] = await db
      .select({ id: channelRecipients.userId })
      .from(channelRecipients)
      .where(and(eq(channelRecipients.channelId, channel.id), ne(channelRecipients.userId, userId)));
    return row?.id ?? null;
  }

  /** A new message re-opens a closed DM for both sides. */
  async reopen(db: DbOrTx, channelId: string): Promise<void> {
    await db
      .update(dmPairs)
      .set({ closed: false })
      .where(and(eq(dmPairs.channelId, channelId), eq(dmPairs.closed, true)));
  }

  private async pairChannel(db: DbOrTx, userId: string, recipientId: string): Promise<ChannelRow | null> {
    const [row] = await db
      .select({ channel: channels })
      .from(dmPairs)
      .innerJoin(channels, eq(channels.id, dmPairs.channelId))
      .where(and(eq(dmPairs.userId, userId), eq(dmPairs.recipientId, recipientId)));
    return row?.channel ?? null;
  }

  private async requireRecipient(db: DbOrTx, channelId: string, userId: string): Promise<void> {
    const [row] = await db
      .select()
      .from(channelRecipients)
      .where(and(eq(channelRecipients.channelId, channelId), eq(channelRecipients.userId, userId)));
    if (!row) throw unknownChannel();
  }

  private async groupOwnedBy(db: DbOrTx, channelId: string, userId: string): Promise<ChannelRow> {
    const [channel] = await db.select().from(channels).where(eq(channels.id, channelId));
    if (!channel || channel.type !== ChannelType.GroupDM) throw unknownChannel();
    await this.requireRecipient(db, channelId, userId);
    if (channel.ownerId !== userId) throw missingPermissions();
    return channel;
  }

  private async systemMessage(
    tx: DbOrTx,
    pending: PendingEvents,
    channel: ChannelRow,
    authorId: string,
    type: number,
    content: string,
    mentionUserIds: string[] = [],
  ) {
    const id = this.deps.ids.next();
    const [row] = await tx
      .insert(messages)
      .values({ channelId: channel.id, id, authorId, type, content, mentionUserIds })
      .returning(messageColumns);
    const [message] = await hydrateMessages(tx, this.deps.attachmentUrls, [row]);
    pending.add('MESSAGE_CREATE', Topic.channel(channel.id), { ...message, channel_type: channel.type });
  }

  /** Discord's DM channel object; `viewerId` is left out of recipients (null keeps everyone, for events). */
  async toWire(db: DbOrTx, channel: ChannelRow, viewerId: string | null): Promise<Channel> {
    const people = await db
      .select({ user: users })
      .from(channelRecipients)
      .innerJoin(users, eq(users.id, channelRecipients.userId))
      .where(eq(channelRecipients.channelId, channel.id));
    return toDmWire(
      channel,
      people.map((p) => p.user),
      viewerId,
    );
  }
}

type UserRow = typeof users.$inferSelect;

const others = alias(channelRecipients, 'others');

type OpenDmJson = { channel: Record<string, unknown>; people: Array<Record<string, unknown>> };

/**
 * In a select list: the DMs and group DMs of user `userId` (a value or placeholder) that they have not closed,
 * latest first, with every recipient, as JSON for openDmsFromJson.
 */
export function openDmsJson(userId: unknown) {
  const people = jsonList(
    sql`select json_agg(${rowJson(users)}) from ${channelRecipients} as ${others} join ${users} on ${users.id} = ${others.userId} where ${others.channelId} = ${channels.id}`,
  );
  return jsonList<OpenDmJson>(
    sql`select json_agg(json_build_object('channel', ${rowJson(channels)}, 'people', ${people}) order by ${channels.lastMessageId} desc, ${channels.id} desc) from ${channelRecipients} join ${channels} on ${channels.id} = ${channelRecipients.channelId} left join ${dmPairs} on ${dmPairs.userId} = ${userId} and ${dmPairs.channelId} = ${channels.id} where ${channelRecipients.userId} = ${userId} and not coalesce(${dmPairs.closed}, false)`,
  );
}

/** DM channel objects as user `viewerId` sees them, from openDmsJson's column. */
export function openDmsFromJson(list: OpenDmJson[], viewerId: string): Channel[] {
  return list.map((o) =>
    toDmWire(fromJson<ChannelRow>(channels, [o.channel])[0], fromJson<UserRow>(users, o.people), viewerId),
  );
}
