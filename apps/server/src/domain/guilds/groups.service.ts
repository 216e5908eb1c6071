import { Permission } from '@hearth/permissions';
import {
  type ActionJoinRequest,
  type DiscoverableGuild,
  type DiscoverableGuilds,
  ErrorCode,
  type GuildJoinRequest,
  type JoinRequestStatus,
  type Member,
} from '@hearth/protocol';
import { and, asc, count, desc, eq, gt, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { bans, guildJoinRequests, guilds, members, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, notFound } from '../errors';
import type { MessagesService } from '../messages/messages.service';
import { PendingEvents } from '../pending-events';
import type { PresenceService } from '../presence/presence.service';
import { isRemote } from '../social/remote.service';
import { toPublicUser } from '../users/users.wire';
import { admitToGuild, type GuildRow, loadGuildActor } from './guild-access';
import type { GuildsService } from './guilds.service';
import { toHearthGroupWire, toMemberWire } from './guilds.wire';
import type { MembersService } from './members.service';

type JoinRequestRow = typeof guildJoinRequests.$inferSelect;

const unknownGuild = () => notFound(ErrorCode.UnknownGuild, 'Guild');
const unknownRequest = () => notFound(ErrorCode.UnknownGuildJoinRequest, 'Join Request');
/** A group is listed when it says so and is not private. */
const listed = sql`${guilds.features} @> '["DISCOVERABLE"]'::jsonb and ${guilds.groupJoinMode} in ('public', 'approval')`;

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Groups (ADR 0031): the directory of discoverable groups, joining a public group without an invite, and join
 * requests to approval-required groups, which the group's moderators (KICK_MEMBERS, as on Discord) approve or reject.
 * A private group, a guild that is not a group, and a group that bans the caller (unless it is listed) are all
 * 404 Unknown Guild to someone outside it.
 */
export class GroupsService {
  constructor(
    private readonly deps: Deps,
    private readonly guilds: GuildsService,
    private readonly members: MembersService,
    private readonly messages: MessagesService,
    private readonly presence: PresenceService,
  ) {}

  /** GET /discoverable-guilds: listed groups by member count, searched by name, description or tag. */
  async directory(
    principal: Principal,
    opts: { query?: string; tag?: string; limit: number; offset: number },
  ): Promise<DiscoverableGuilds> {
    const { db } = this.deps;
    const conditions: SQL[] = [listed];
    const q = opts.query?.trim();
    if (q) {
      const pattern = `%${likeLiteral(q)}%`;
      conditions.push(
        sql`(${guilds.name} ilike ${pattern} or ${guilds.description} ilike ${pattern} or ${guilds.groupTags} @> ${JSON.stringify([q.toLowerCase()])}::jsonb)`,
      );
    }
    if (opts.tag) conditions.push(sql`${guilds.groupTags} @> ${JSON.stringify([opts.tag])}::jsonb`);
    const where = and(...conditions);
    const memberCount = sql<number>`(select count(*) from ${members} where ${members.guildId} = ${guilds.id})`;
    const [rows, [total]] = await Promise.all([
      db
        .select({ guild: guilds })
        .from(guilds)
        .where(where)
        .orderBy(desc(memberCount), asc(guilds.id))
        .limit(opts.limit)
        .offset(opts.offset),
      db.select({ n: count() }).from(guilds).where(where),
    ]);
    const ids = rows.map((r) => r.guild.id);
    const [counts, mine, requests] = await Promise.all([
      this.guilds.counts(db, ids),
      ids.length
        ? db
            .select({ guildId: members.guildId })
            .from(members)
            .where(and(eq(members.userId, principal.userId), inArray(members.guildId, ids)))
        : [],
      ids.length
        ? db
            .select({ guildId: guildJoinRequests.guildId, status: guildJoinRequests.status })
            .from(guildJoinRequests)
            .where(
              and(inArray(guildJoinRequests.guildId, ids), eq(guildJoinRequests.userId, principal.userId)),
            )
        : [],
    ]);
    const memberOf = new Set(mine.map((m) => m.guildId));
    const requestOf = new Map(requests.map((r) => [r.guildId, r.status]));
    return {
      guilds: rows.map(({ guild: g }): DiscoverableGuild => {
        const member = memberOf.has(g.id);
        return {
          id: g.id,
          name: g.name,
          icon: g.icon,
          banner: g.banner,
          description: g.description,
          features: g.features,
          ...counts.get(g.id)!,
          hearth_group: toHearthGroupWire(g)!,
          is_member: member,
          join_request_status: member ? null : (requestOf.get(g.id) ?? null),
        };
      }),
      total: Number(total?.n ?? 0),
      offset: opts.offset,
      limit: opts.limit,
    };
  }

  /**
   * PUT /guilds/:id/members/@me: joins a public group without an invite (201 with the member, 204 when already a
   * member). An approval-required group answers 403 (send a join request); anything else 404.
   */
  async join(principal: Principal, guildId: string): Promise<Member | null> {
    const { db } = this.deps;
    const pending = new PendingEvents();
    const member = await db.transaction(async (tx) => {
      const guild = await this.visibleGroup(tx, guildId, principal.userId);
      if (guild.member) return null;
      await admitToGuild(tx, guildId, principal.userId);
      if (guild.row.groupJoinMode !== 'public')
        throw new ApiError(
          403,
          ErrorCode.MissingAccess,
          'This group takes members by approval: send a join request',
        );
      await this.admit(tx, pending, guild.row, principal.userId);
      const [row] = await tx
        .select()
        .from(members)
        .where(and(eq(members.guildId, guildId), eq(members.userId, principal.userId)));
      const [user] = await tx.select().from(users).where(eq(users.id, principal.userId));
      return toMemberWire(row!, [], user);
    });
    if (member) await this.joined(pending, principal.userId, guildId);
    return member;
  }

  /**
   * PUT /guilds/:id/requests/@me: asks to join an approval-required group. An open request is returned as it is; a
   * rejected or old one is replaced by a new one. 400 when already a member or when the group is public.
   */
  async request(principal: Principal, guildId: string): Promise<GuildJoinRequest> {
    const { db, ids } = this.deps;
    const pending = new PendingEvents();
    const row = await db.transaction(async (tx) => {
      const guild = await this.visibleGroup(tx, guildId, principal.userId);
      if (guild.member) throw new ApiError(400, ErrorCode.Conflict, 'You are already a member of this guild');
      if (guild.row.groupJoinMode !== 'approval')
        throw new ApiError(400, ErrorCode.Conflict, 'This group is public: join it without a request');
      await admitToGuild(tx, guildId, principal.userId);
      const [existing] = await tx
        .select()
        .from(guildJoinRequests)
        .where(and(eq(guildJoinRequests.guildId, guildId), eq(guildJoinRequests.userId, principal.userId)))
        .for('update');
      if (existing?.status === 'SUBMITTED') return { row: existing, created: false };
      if (existing)
        await tx
          .delete(guildJoinRequests)
          .where(and(eq(guildJoinRequests.guildId, guildId), eq(guildJoinRequests.id, existing.id)));
      const [created] = await tx
        .insert(guildJoinRequests)
        .values({ guildId, id: ids.next(), userId: principal.userId, status: 'SUBMITTED' })
        .returning();
      return { row: created!, created: true };
    });
    const wire = await this.toWire(db, row.row);
    if (row.created) {
      const d = { guild_id: guildId, status: wire.application_status, request: wire };
      pending.add('GUILD_JOIN_REQUEST_CREATE', Topic.guild(guildId), d);
      pending.add('GUILD_JOIN_REQUEST_CREATE', Topic.user(principal.userId), d);
      pending.publish(this.deps.events);
    }
    return wire;
  }

  /** GET /guilds/:id/requests/@me: the caller's own request to a group they may see. */
  async myRequest(principal: Principal, guildId: string): Promise<GuildJoinRequest> {
    const { db } = this.deps;
    await this.visibleGroup(db, guildId, principal.userId);
    const [row] = await db
      .select()
      .from(guildJoinRequests)
      .where(and(eq(guildJoinRequests.guildId, guildId), eq(guildJoinRequests.userId, principal.userId)));
    if (!row) throw unknownRequest();
    return this.toWire(db, row);
  }

  /** DELETE /guilds/:id/requests/@me: withdraws the caller's open request. */
  async withdraw(principal: Principal, guildId: string): Promise<void> {
    const { db } = this.deps;
    await this.visibleGroup(db, guildId, principal.userId);
    const [row] = await db
      .delete(guildJoinRequests)
      .where(
        and(
          eq(guildJoinRequests.guildId, guildId),
          eq(guildJoinRequests.userId, principal.userId),
          eq(guildJoinRequests.status, 'SUBMITTED'),
        ),
      )
      .returning();
    if (!row) throw unknownRequest();
    const d = { guild_id: guildId, id: row.id, user_id: row.userId };
    const pending = new PendingEvents();
    pending.add('GUILD_JOIN_REQUEST_DELETE', Topic.guild(guildId), d);
    pending.add('GUILD_JOIN_REQUEST_DELETE', Topic.user(principal.userId), d);
    pending.publish(this.deps.events);
  }

  /** GET /guilds/:id/requests: a group's requests of one status, newest first, for its moderators (KICK_MEMBERS). */
  async list(
    principal: Principal,
    guildId: string,
    opts: { status: JoinRequestStatus; limit: number; before?: string; after?: string },
  ): Promise<{ guild_join_requests: GuildJoinRequest[]; total: number }> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.KICK_MEMBERS);
    const ofStatus = and(eq(guildJoinRequests.guildId, guildId), eq(guildJoinRequests.status, opts.status));
    const page = and(
      ofStatus,
      opts.before ? lt(guildJoinRequests.id, opts.before) : undefined,
      opts.after ? gt(guildJoinRequests.id, opts.after) : undefined,
    );
    const [rows, [total]] = await Promise.all([
      db
        .select({ request: guildJoinRequests, user: users })
        .from(guildJoinRequests)
        .innerJoin(users, eq(users.id, guildJoinRequests.userId))
        .where(page)
        .orderBy(desc(guildJoinRequests.id))
        .limit(opts.limit),
      db.select({ n: count() }).from(guildJoinRequests).where(ofStatus),
    ]);
    return {
      guild_join_requests: rows.map((r) => this.wire(r.request, r.user)),
      total: Number(total?.n ?? 0),
    };
  }

  /**
   * PATCH /guilds/:id/requests/:request_id: approves (the requester becomes a member, unless banned meanwhile:
   * 403 40007) or rejects an open request. KICK_MEMBERS.
   */
  async action(
    principal: Principal,
    guildId: string,
    requestId: string,
    input: ActionJoinRequest,
  ): Promise<GuildJoinRequest> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.KICK_MEMBERS);
    const pending = new PendingEvents();
    const { row, joined } = await db.transaction(async (tx) => {
      const [open] = await tx
        .select()
        .from(guildJoinRequests)
        .where(and(eq(guildJoinRequests.guildId, guildId), eq(guildJoinRequests.id, requestId)))
        .for('update');
      if (!open) throw unknownRequest();
      if (open.status !== 'SUBMITTED')
        throw new ApiError(400, ErrorCode.Conflict, 'This join request has already been actioned');
      let joined = false;
      if (input.action === 'APPROVED') {
        await admitToGuild(tx, guildId, open.userId);
        const [guild] = await tx.select().from(guilds).where(eq(guilds.id, guildId));
        joined = await this.admit(tx, pending, guild!, open.userId);
      }
      const [row] = await tx
        .update(guildJoinRequests)
        .set({
          status: input.action,
          rejectionReason: input.action === 'REJECTED' ? (input.rejection_reason ?? null) : null,
          actionedBy: principal.userId,
          actionedAt: new Date(),
        })
        .where(and(eq(guildJoinRequests.guildId, guildId), eq(guildJoinRequests.id, requestId)))
        .returning();
      // A remote requester (a Follow of the group's actor) hears the answer as the Group's Accept or Reject.
      if (await isRemote(tx, open.userId))
        await this.deps.jobs.enqueue(
          'federation.deliver',
          {
            type: input.action === 'APPROVED' ? 'group-accept' : 'group-reject',
            guildId,
            followerId: open.userId,
          },
          {},
          tx,
        );
      return { row: row!, joined };
    });
    const wire = await this.toWire(db, row);
    const d = { guild_id: guildId, status: wire.application_status, request: wire };
    pending.add('GUILD_JOIN_REQUEST_UPDATE', Topic.guild(guildId), d);
    pending.add('GUILD_JOIN_REQUEST_UPDATE', Topic.user(row.userId), d);
    if (joined) await this.joined(pending, row.userId, guildId);
    else pending.publish(this.deps.events);
    return wire;
  }

  /**
   * The group `guildId` as the caller may see it: a member sees their guild; anyone else a group that is public
   * or approval-required and does not ban them. Everything else is 404 Unknown Guild.
   */
  private async visibleGroup(
    db: DbOrTx,
    guildId: string,
    userId: string,
  ): Promise<{ row: GuildRow; member: boolean }> {
    const [row] = await db
      .select({
        guild: guilds,
        member: sql<boolean>`exists (select 1 from ${members} where ${members.guildId} = ${guilds.id} and ${members.userId} = ${userId})`,
        banned: sql<boolean>`exists (select 1 from ${bans} where ${bans.guildId} = ${guilds.id} and ${bans.userId} = ${userId})`,
      })
      .from(guilds)
      .where(eq(guilds.id, guildId));
    if (!row) throw unknownGuild();
    if (row.member) return { row: row.guild, member: true };
    const mode = row.guild.groupJoinMode;
    if (!mode || mode === 'private') throw unknownGuild();
    // A banned user still finds a listed group (as in Discord's discovery); admitting them answers 40007.
    if (row.banned && !row.guild.features.includes('DISCOVERABLE')) throw unknownGuild();
    return { row: row.guild, member: false };
  }

  /** Adds the member and the system channel's welcome, in the caller's transaction. */
  private async admit(tx: DbOrTx, pending: PendingEvents, guild: GuildRow, userId: string): Promise<boolean> {
    const added = await this.members.addMember(tx, pending, guild.id, userId);
    if (added) await this.messages.userJoined(tx, pending, guild.id, guild.systemChannelId, userId);
    return added;
  }

  /** After a join commits: the new member's GUILD_CREATE, the queued events, and their presence in the guild. */
  private async joined(pending: PendingEvents, userId: string, guildId: string): Promise<void> {
    pending.add('GUILD_CREATE', Topic.user(userId), await this.guilds.fullGuild(this.deps.db, guildId));
    pending.publish(this.deps.events);
    await this.presence.announce(userId, guildId);
  }

  private async toWire(db: DbOrTx, row: JoinRequestRow): Promise<GuildJoinRequest> {
    const [user] = await db.select().from(users).where(eq(users.id, row.userId));
    const actioner = row.actionedBy
      ? (await db.select().from(users).where(eq(users.id, row.actionedBy)))[0]
      : undefined;
    return this.wire(row, user, actioner);
  }

  private wire(
    row: JoinRequestRow,
    user?: typeof users.$inferSelect,
    actioner?: typeof users.$inferSelect,
  ): GuildJoinRequest {
    return {
      id: row.id,
      join_request_id: row.id,
      guild_id: row.guildId,
      user_id: row.userId,
      ...(user ? { user: toPublicUser(user) } : {}),
      created_at: row.createdAt.toISOString(),
      application_status: row.status,
      rejection_reason: row.rejectionReason,
      form_responses: [],
      interview_channel_id: null,
      last_seen: null,
      actioned_at: row.actionedAt?.toISOString() ?? null,
      ...(row.actionedAt ? { reviewed_at: row.actionedAt.toISOString() } : {}),
      ...(actioner ? { actioned_by_user: toPublicUser(actioner) } : {}),
    };
  }
}
