import { hasPermission, Permission } from '@hearth/permissions';
import {
  AuditLogEvent,
  ChannelType,
  type CreateScheduledEvent,
  ScheduledEventEntityType as Entity,
  ErrorCode,
  Limits,
  type ModifyScheduledEvent,
  type ScheduledEvent,
  type ScheduledEventUser,
  type ScheduledEventUsersQuery,
  ScheduledEventStatus as Status,
} from '@hearth/protocol';
import { and, asc, count, desc, eq, gt, inArray, lt, notInArray, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import {
  channels,
  members,
  permissionOverwrites,
  scheduledEvents,
  scheduledEventUsers,
  users,
} from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions, notFound } from '../errors';
import { storeImage } from '../images';
import { PendingEvents } from '../pending-events';
import { toPublicUser } from '../users/users.wire';
import { type AuditChange, writeAudit } from './audit';
import { Events, type GuildActor, loadGuildActor, memberRoleIds } from './guild-access';
import { toMemberWire } from './guilds.wire';

type EventRow = typeof scheduledEvents.$inferSelect;
type UserRow = typeof users.$inferSelect;

const unknownEvent = () => notFound(ErrorCode.UnknownGuildScheduledEvent, 'Guild Scheduled Event');
/** Statuses an event may move to from each status (Discord's valid transitions); COMPLETED and CANCELED are final. */
const NEXT_STATUS: Record<number, number[]> = {
  [Status.Scheduled]: [Status.Active, Status.Canceled],
  [Status.Active]: [Status.Completed],
};
/** The channel type each channel-hosted entity type needs. */
const CHANNEL_TYPE: Record<number, number> = {
  [Entity.StageInstance]: ChannelType.GuildStageVoice,
  [Entity.Voice]: ChannelType.GuildVoice,
};
/** Besides CREATE_EVENTS or MANAGE_EVENTS, what creating or changing an event needs in its channel. */
const CHANNEL_NEEDS: Record<number, bigint> = {
  [Entity.StageInstance]: Permission.MANAGE_CHANNELS | Permission.MUTE_MEMBERS | Permission.MOVE_MEMBERS,
  [Entity.Voice]: Permission.VIEW_CHANNEL | Permission.CONNECT,
};

function toScheduledEventWire(e: EventRow, creator?: UserRow, userCount?: number): ScheduledEvent {
  return {
    id: e.id,
    guild_id: e.guildId,
    channel_id: e.channelId,
    creator_id: e.creatorId,
    name: e.name,
    description: e.description,
    scheduled_start_time: e.scheduledStartTime.toISOString(),
    scheduled_end_time: e.scheduledEndTime?.toISOString() ?? null,
    privacy_level: e.privacyLevel,
    status: e.status,
    entity_type: e.entityType,
    entity_id: null,
    entity_metadata: e.entityType === Entity.External ? { location: e.location ?? '' } : null,
    ...(creator ? { creator: toPublicUser(creator) } : {}),
    ...(userCount !== undefined ? { user_count: userCount } : {}),
    image: e.image,
    recurrence_rule: e.recurrenceRule,
    guild_scheduled_event_exceptions: [],
  };
}

/** A guild's scheduled events in wire form, for GUILD_CREATE (each session sees those of channels it can view). */
export async function guildScheduledEvents(db: DbOrTx, guildId: string): Promise<ScheduledEvent[]> {
  return (await eventRows(db, guildId)).map((e) => toScheduledEventWire(e));
}

const eventRows = (db: DbOrTx, guildId: string) =>
  db
    .select()
    .from(scheduledEvents)
    .where(eq(scheduledEvents.guildId, guildId))
    .orderBy(asc(scheduledEvents.id));

/**
 * Guild scheduled events (Discord's Guild Scheduled Event resource). An event hosted in a channel is visible to those
 * who can view that channel, an EXTERNAL one to every member. Creating needs CREATE_EVENTS (or MANAGE_EVENTS) and,
 * for a channel, what Discord asks there; changing or deleting needs MANAGE_EVENTS, or CREATE_EVENTS for one's own.
 * Members mark their interest (`/users/@me`), as Discord's client does.
 */
export class ScheduledEventsService {
  constructor(private readonly deps: Deps) {}

  async list(principal: Principal, guildId: string, withUserCount: boolean): Promise<ScheduledEvent[]> {
    const actor = await loadGuildActor(this.deps.db, guildId, principal.userId);
    const rows = await eventRows(this.deps.db, guildId);
    return this.toWire(await this.visible(actor, rows), withUserCount);
  }

  async get(
    principal: Principal,
    guildId: string,
    eventId: string,
    withUserCount: boolean,
  ): Promise<ScheduledEvent> {
    const actor = await loadGuildActor(this.deps.db, guildId, principal.userId);
    return (await this.toWire([await this.findVisible(actor, eventId)], withUserCount))[0];
  }

  async create(
    principal: Principal,
    guildId: string,
    input: CreateScheduledEvent,
    reason: string | null,
  ): Promise<ScheduledEvent> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const shape = this.checkShape(input.entity_type, {
      channelId: input.channel_id ?? null,
      location: input.entity_metadata?.location ?? null,
      start: new Date(input.scheduled_start_time),
      end: input.scheduled_end_time ? new Date(input.scheduled_end_time) : null,
      metadataGiven: input.entity_metadata != null,
    });
    await this.requireRights(actor, input.entity_type, shape.channelId, 'new');
    if (shape.start.getTime() <= Date.now())
      throw invalidField(
        ['scheduled_start_time'],
        'BASE_TYPE_BAD_TIME',
        'Cannot schedule an event in the past.',
      );
    const id = ids.next();
    const image = await this.storeCover(guildId, id, input.image);
    const pending = new PendingEvents();
    const row = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`scheduled-events:${guildId}`}))`);
      const [{ n }] = await tx
        .select({ n: count() })
        .from(scheduledEvents)
        .where(
          and(
            eq(scheduledEvents.guildId, guildId),
            notInArray(scheduledEvents.status, [Status.Completed, Status.Canceled]),
          ),
        );
      if (n >= Limits.uncompletedScheduledEvents)
        throw new ApiError(
          400,
          ErrorCode.MaximumUncompletedScheduledEvents,
          `Maximum number of uncompleted guild scheduled events reached (${Limits.uncompletedScheduledEvents})`,
        );
      const [inserted] = await tx
        .insert(scheduledEvents)
        .values({
          guildId,
          id,
          channelId: shape.channelId,
          creatorId: principal.userId,
          name: input.name,
          description: input.description ?? null,
          scheduledStartTime: shape.start,
          scheduledEndTime: shape.end,
          privacyLevel: input.privacy_level,
          entityType: input.entity_type,
          location: shape.location,
          image,
          recurrenceRule: input.recurrence_rule ?? null,
        })
        .returning();
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: id,
        actionType: AuditLogEvent.GuildScheduledEventCreate,
        changes: [
          { key: 'name', new_value: input.name },
          { key: 'entity_type', new_value: input.entity_type },
          { key: 'status', new_value: Status.Scheduled },
          ...(shape.channelId ? [{ key: 'channel_id', new_value: shape.channelId }] : []),
          ...(shape.location ? [{ key: 'location', new_value: shape.location }] : []),
        ],
        reason,
      });
      return inserted;
    });
    const [wire] = await this.toWire([row], false);
    this.publish(pending, 'GUILD_SCHEDULED_EVENT_CREATE', row, wire);
    return wire;
  }

  async modify(
    principal: Principal,
    guildId: string,
    eventId: string,
    input: ModifyScheduledEvent,
    reason: string | null,
  ): Promise<ScheduledEvent> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const current = await this.findVisible(actor, eventId);
    await this.requireRights(actor, current.entityType, current.channelId, current.creatorId);
    const entityType = input.entity_type ?? current.entityType;
    const toExternal = entityType === Entity.External;
    if (toExternal && current.entityType !== Entity.External && input.channel_id !== null)
      throw invalidField(
        ['channel_id'],
        'BASE_TYPE_REQUIRED',
        'Set channel_id to null for an EXTERNAL event.',
      );
    const shape = this.checkShape(entityType, {
      channelId: input.channel_id === undefined ? (toExternal ? null : current.channelId) : input.channel_id,
      location:
        input.entity_metadata === undefined
          ? current.location
          : toExternal
            ? (input.entity_metadata?.location ?? null)
            : null,
      start: input.scheduled_start_time ? new Date(input.scheduled_start_time) : current.scheduledStartTime,
      end:
        input.scheduled_end_time === undefined
          ? current.scheduledEndTime
          : input.scheduled_end_time
            ? new Date(input.scheduled_end_time)
            : null,
      // Discord silently discards entity_metadata for events not EXTERNAL.
      metadataGiven: false,
    });
    if (shape.channelId !== current.channelId || entityType !== current.entityType)
      await this.requireRights(actor, entityType, shape.channelId, current.creatorId);
    const status = input.status ?? current.status;
    if (status !== current.status && !NEXT_STATUS[current.status]?.includes(status))
      throw invalidField(
        ['status'],
        'GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION',
        `An event cannot go from status ${current.status} to ${status}.`,
      );
    const image =
      input.image === undefined ? current.image : await this.storeCover(guildId, eventId, input.image);
    const next = {
      channelId: shape.channelId,
      name: input.name ?? current.name,
      description: input.description === undefined ? current.description : input.description,
      scheduledStartTime: shape.start,
      scheduledEndTime: shape.end,
      privacyLevel: input.privacy_level ?? current.privacyLevel,
      status,
      entityType,
      location: shape.location,
      image,
      recurrenceRule: input.recurrence_rule === undefined ? current.recurrenceRule : input.recurrence_rule,
    };
    const changes = auditChanges(current, next);
    const pending = new PendingEvents();
    const [row] = await db.transaction(async (tx) => {
      const updated = await tx
        .update(scheduledEvents)
        .set(next)
        .where(and(eq(scheduledEvents.guildId, guildId), eq(scheduledEvents.id, eventId)))
        .returning();
      if (changes.length)
        await writeAudit(tx, ids, pending, {
          guildId,
          userId: principal.userId,
          targetId: eventId,
          actionType: AuditLogEvent.GuildScheduledEventUpdate,
          changes,
          reason,
        });
      return updated;
    });
    if (!row) throw unknownEvent();
    const [wire] = await this.toWire([row], false);
    this.publish(pending, 'GUILD_SCHEDULED_EVENT_UPDATE', row, wire);
    return wire;
  }

  async delete(principal: Principal, guildId: string, eventId: string, reason: string | null): Promise<void> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const current = await this.findVisible(actor, eventId);
    await this.requireRights(actor, current.entityType, current.channelId, current.creatorId);
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await tx
        .delete(scheduledEventUsers)
        .where(and(eq(scheduledEventUsers.guildId, guildId), eq(scheduledEventUsers.eventId, eventId)));
      await tx
        .delete(scheduledEvents)
        .where(and(eq(scheduledEvents.guildId, guildId), eq(scheduledEvents.id, eventId)));
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: eventId,
        actionType: AuditLogEvent.GuildScheduledEventDelete,
        changes: [
          { key: 'name', old_value: current.name },
          { key: 'entity_type', old_value: current.entityType },
        ],
        reason,
      });
    });
    this.publish(pending, 'GUILD_SCHEDULED_EVENT_DELETE', current, toScheduledEventWire(current));
  }

  /** GET .../users: the interested users in ascending id order, a page before or after a user id. */
  async users(
    principal: Principal,
    guildId: string,
    eventId: string,
    q: ScheduledEventUsersQuery,
  ): Promise<ScheduledEventUser[]> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    await this.findVisible(actor, eventId);
    const limit = q.limit ?? 100;
    const of = and(eq(scheduledEventUsers.guildId, guildId), eq(scheduledEventUsers.eventId, eventId));
    // `before` wins over `after`; a `before` page is the highest ids below it, still returned in ascending order.
    const rows = q.before
      ? (
          await db
            .select({ user: users })
            .from(scheduledEventUsers)
            .innerJoin(users, eq(users.id, scheduledEventUsers.userId))
            .where(and(of, lt(scheduledEventUsers.userId, q.before)))
            .orderBy(desc(scheduledEventUsers.userId))
            .limit(limit)
        ).reverse()
      : await db
          .select({ user: users })
          .from(scheduledEventUsers)
          .innerJoin(users, eq(users.id, scheduledEventUsers.userId))
          .where(and(of, gt(scheduledEventUsers.userId, q.after ?? '0')))
          .orderBy(asc(scheduledEventUsers.userId))
          .limit(limit);
    const memberOf = new Map<string, ReturnType<typeof toMemberWire>>();
    if (q.with_member && rows.length) {
      const found = await db
        .select({ member: members, roleIds: memberRoleIds })
        .from(members)
        .where(
          and(
            eq(members.guildId, guildId),
            inArray(
              members.userId,
              rows.map((r) => r.user.id),
            ),
          ),
        );
      for (const m of found) memberOf.set(m.member.userId, toMemberWire(m.member, m.roleIds));
    }
    return rows.map(({ user }) => {
      const member = memberOf.get(user.id);
      return {
        guild_scheduled_event_id: eventId,
        user: toPublicUser(user),
        ...(member ? { member } : {}),
      };
    });
  }

  /** PUT/DELETE .../users/@me: the caller marks or unmarks their interest in an event they can see. */
  async setInterest(
    principal: Principal,
    guildId: string,
    eventId: string,
    interested: boolean,
  ): Promise<void> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const event = await this.findVisible(actor, eventId);
    const key = { guildId, eventId, userId: principal.userId };
    let changed: boolean;
    if (interested) {
      if (event.status === Status.Completed || event.status === Status.Canceled)
        throw new ApiError(400, ErrorCode.InvalidFormBody, 'This event has ended');
      changed =
        (await db.insert(scheduledEventUsers).values(key).onConflictDoNothing().returning()).length > 0;
    } else {
      changed =
        (
          await db
            .delete(scheduledEventUsers)
            .where(
              and(
                eq(scheduledEventUsers.guildId, guildId),
                eq(scheduledEventUsers.eventId, eventId),
                eq(scheduledEventUsers.userId, principal.userId),
              ),
            )
            .returning()
        ).length > 0;
    }
    if (!changed) return;
    const pending = new PendingEvents();
    pending.add(
      interested ? 'GUILD_SCHEDULED_EVENT_USER_ADD' : 'GUILD_SCHEDULED_EVENT_USER_REMOVE',
      topicOf(event),
      { guild_scheduled_event_id: eventId, user_id: principal.userId, guild_id: guildId },
    );
    pending.publish(this.deps.events);
  }

  /** Discord's field requirements by entity type, and the channel's type; the times in order. */
  private checkShape(
    entityType: number,
    f: {
      channelId: string | null;
      location: string | null;
      start: Date;
      end: Date | null;
      metadataGiven: boolean;
    },
  ) {
    if (entityType === Entity.External) {
      if (f.channelId)
        throw invalidField(['channel_id'], 'BASE_TYPE_BAD_VALUE', 'An EXTERNAL event has no channel.');
      if (!f.location)
        throw invalidField(
          ['entity_metadata', 'location'],
          'BASE_TYPE_REQUIRED',
          'An EXTERNAL event needs a location.',
        );
      if (!f.end)
        throw invalidField(
          ['scheduled_end_time'],
          'BASE_TYPE_REQUIRED',
          'An EXTERNAL event needs an end time.',
        );
    } else {
      if (!f.channelId)
        throw invalidField(['channel_id'], 'BASE_TYPE_REQUIRED', 'A stage or voice event needs a channel.');
      if (f.metadataGiven)
        throw invalidField(
          ['entity_metadata'],
          'BASE_TYPE_BAD_VALUE',
          'Only EXTERNAL events have entity_metadata.',
        );
    }
    if (f.end && f.end.getTime() <= f.start.getTime())
      throw invalidField(['scheduled_end_time'], 'BASE_TYPE_BAD_TIME', 'The end must be after the start.');
    return {
      channelId: entityType === Entity.External ? null : f.channelId,
      location: entityType === Entity.External ? f.location : null,
      start: f.start,
      end: f.end,
    };
  }

  /**
   * Creating (`creatorId` 'new') or changing an event: CREATE_EVENTS or MANAGE_EVENTS (only MANAGE for another's),
   * in the guild for an EXTERNAL event, in its channel otherwise, with what Discord asks there. A channel of another
   * guild, of the wrong type or hidden from the caller is an invalid channel_id.
   */
  private async requireRights(
    actor: GuildActor,
    entityType: number,
    channelId: string | null,
    creatorId: string | null | 'new',
  ): Promise<void> {
    if (entityType === Entity.External || !channelId) {
      actor.requireManageOrOwn(Events, creatorId);
      return;
    }
    const [channel] = await this.deps.db
      .select()
      .from(channels)
      .where(and(eq(channels.id, channelId), eq(channels.guildId, actor.guild.id)));
    const permissions = channel
      ? actor.channelPermissions(
          await this.deps.db
            .select()
            .from(permissionOverwrites)
            .where(
              and(
                eq(permissionOverwrites.guildId, actor.guild.id),
                eq(permissionOverwrites.channelId, channelId),
              ),
            ),
        )
      : 0n;
    if (
      !channel ||
      channel.type !== CHANNEL_TYPE[entityType] ||
      !hasPermission(permissions, Permission.VIEW_CHANNEL)
    )
      throw invalidField(['channel_id'], 'CHANNEL_INVALID', 'Not a suitable channel of this guild.');
    const mine = creatorId === 'new' || creatorId === actor.userId;
    const allowed = mine ? Events.manage | Events.create : Events.manage;
    if ((permissions & allowed) === 0n || !hasPermission(permissions, CHANNEL_NEEDS[entityType]))
      throw missingPermissions();
  }

  /** The events among `rows` the caller can see: EXTERNAL ones, and those whose channel they can view. */
  private async visible(actor: GuildActor, rows: EventRow[]): Promise<EventRow[]> {
    const channelIds = [...new Set(rows.flatMap((r) => (r.channelId ? [r.channelId] : [])))];
    if (!channelIds.length) return rows;
    const [found, overwrites] = await Promise.all([
      this.deps.db
        .select({ id: channels.id })
        .from(channels)
        .where(and(eq(channels.guildId, actor.guild.id), inArray(channels.id, channelIds))),
      this.deps.db
        .select()
        .from(permissionOverwrites)
        .where(
          and(
            eq(permissionOverwrites.guildId, actor.guild.id),
            inArray(permissionOverwrites.channelId, channelIds),
          ),
        ),
    ]);
    const viewable = new Set(
      found
        .filter((c) =>
          hasPermission(
            actor.channelPermissions(overwrites.filter((o) => o.channelId === c.id)),
            Permission.VIEW_CHANNEL,
          ),
        )
        .map((c) => c.id),
    );
    return rows.filter((r) => !r.channelId || viewable.has(r.channelId));
  }

  private async findVisible(actor: GuildActor, eventId: string): Promise<EventRow> {
    const [row] = await this.deps.db
      .select()
      .from(scheduledEvents)
      .where(and(eq(scheduledEvents.guildId, actor.guild.id), eq(scheduledEvents.id, eventId)));
    if (!row || !(await this.visible(actor, [row])).length) throw unknownEvent();
    return row;
  }

  private async toWire(rows: EventRow[], withUserCount: boolean): Promise<ScheduledEvent[]> {
    if (!rows.length) return [];
    const { db } = this.deps;
    const creatorIds = [...new Set(rows.flatMap((r) => (r.creatorId ? [r.creatorId] : [])))];
    const [creators, counts] = await Promise.all([
      creatorIds.length ? db.select().from(users).where(inArray(users.id, creatorIds)) : [],
      withUserCount
        ? db
            .select({ eventId: scheduledEventUsers.eventId, n: count() })
            .from(scheduledEventUsers)
            .where(
              and(
                eq(scheduledEventUsers.guildId, rows[0].guildId),
                inArray(
                  scheduledEventUsers.eventId,
                  rows.map((r) => r.id),
                ),
              ),
            )
            .groupBy(scheduledEventUsers.eventId)
        : [],
    ]);
    const byId = new Map(creators.map((u) => [u.id, u]));
    const countOf = new Map(counts.map((c) => [c.eventId, c.n]));
    return rows.map((r) =>
      toScheduledEventWire(
        r,
        r.creatorId ? byId.get(r.creatorId) : undefined,
        withUserCount ? (countOf.get(r.id) ?? 0) : undefined,
      ),
    );
  }

  private storeCover(guildId: string, eventId: string, image: string | null | undefined) {
    if (image === undefined) return Promise.resolve(null);
    return storeImage(
      this.deps,
      {
        purpose: 'guild_event_cover',
        folder: `guild-events/${eventId}`,
        ownerId: guildId,
        width: 800,
        height: 320,
        field: 'image',
      },
      image,
    );
  }

  /** An event with a channel goes to those who can view it (the gateway checks), an EXTERNAL one to the guild. */
  private publish(
    pending: PendingEvents,
    t: 'GUILD_SCHEDULED_EVENT_CREATE' | 'GUILD_SCHEDULED_EVENT_UPDATE' | 'GUILD_SCHEDULED_EVENT_DELETE',
    row: EventRow,
    wire: ScheduledEvent,
  ): void {
    pending.add(t, topicOf(row), wire);
    pending.publish(this.deps.events);
  }
}

function topicOf(row: EventRow) {
  return row.channelId ? Topic.channel(row.channelId) : Topic.guild(row.guildId);
}

function auditChanges(current: EventRow, next: Partial<EventRow>): AuditChange[] {
  const keys: Array<[keyof EventRow, string]> = [
    ['name', 'name'],
    ['description', 'description'],
    ['channelId', 'channel_id'],
    ['status', 'status'],
    ['entityType', 'entity_type'],
    ['location', 'location'],
    ['image', 'image_hash'],
    ['privacyLevel', 'privacy_level'],
  ];
  const changes: AuditChange[] = keys
    .filter(([k]) => next[k] !== current[k])
    .map(([k, key]) => ({ key, old_value: current[k], new_value: next[k] }));
  for (const [k, key] of [
    ['scheduledStartTime', 'scheduled_start_time'],
    ['scheduledEndTime', 'scheduled_end_time'],
  ] as const) {
    const before = current[k]?.toISOString() ?? null;
    const after = next[k]?.toISOString() ?? null;
    if (before !== after) changes.push({ key, old_value: before, new_value: after });
  }
  return changes;
}
