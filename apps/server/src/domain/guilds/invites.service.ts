import { randomInt } from 'node:crypto';
import { hasPermission, Permission } from '@hearth/permissions';
import { AuditLogEvent, type CreateInvite, ErrorCode, type Invite } from '@hearth/protocol';
import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { channels, guilds, invites, members, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { missingPermissions, notFound } from '../errors';
import type { MessagesService } from '../messages/messages.service';
import { PendingEvents } from '../pending-events';
import type { PresenceService } from '../presence/presence.service';
import { toPublicUser } from '../users/users.wire';
import { writeAudit } from './audit';
import { admitToGuild, loadChannelForActor, loadGuildActor } from './guild-access';
import type { GuildsService } from './guilds.service';
import type { MembersService } from './members.service';

type InviteRow = typeof invites.$inferSelect;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const CODE_LENGTH = 10;

/** An invite code from the CSPRNG: 10 characters of [A-Za-z0-9], about 59 bits, unguessable from time or ids. */
function newInviteCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

const unknownInvite = () => notFound(ErrorCode.UnknownInvite, 'Invite');

export class InvitesService {
  constructor(
    private readonly deps: Deps,
    private readonly guilds: GuildsService,
    private readonly members: MembersService,
    private readonly messages: MessagesService,
    private readonly presence: PresenceService,
  ) {}

  /**
   * POST /channels/:id/invites. Unless `unique` is set, a live invite of the same inviter to this channel with the
   * same settings is returned instead of a new one, as Discord does.
   */
  async create(
    principal: Principal,
    channelId: string,
    input: CreateInvite,
    reason: string | null,
  ): Promise<Invite> {
    const { db, ids } = this.deps;
    const { channel, permissions } = await loadChannelForActor(db, channelId, principal.userId);
    if (!hasPermission(permissions, Permission.CREATE_INSTANT_INVITE)) throw missingPermissions();
    const guildId = channel.guildId!;
    const maxAge = input.max_age ?? 86400;
    const maxUses = input.max_uses ?? 0;
    const temporary = input.temporary ?? false;
    if (!input.unique) {
      const [similar] = await db
        .select()
        .from(invites)
        .where(
          and(
            eq(invites.channelId, channelId),
            eq(invites.inviterId, principal.userId),
            eq(invites.maxAge, maxAge),
            eq(invites.maxUses, maxUses),
            eq(invites.temporary, temporary),
            live(),
            or(eq(invites.maxUses, 0), lt(invites.uses, invites.maxUses)),
          ),
        )
        .orderBy(desc(invites.createdAt))
        .limit(1);
      if (similar) return this.toWire(db, similar, { metadata: true });
    }
    const now = new Date();
    const pending = new PendingEvents();
    const row = await db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(invites)
        .values({
          code: newInviteCode(),
          guildId,
          channelId,
          inviterId: principal.userId,
          maxAge,
          maxUses,
          temporary,
          createdAt: now,
          expiresAt: maxAge ? new Date(now.getTime() + maxAge * 1000) : null,
        })
        .returning();
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: inserted.code,
        actionType: AuditLogEvent.InviteCreate,
        changes: [
          { key: 'code', new_value: inserted.code },
          { key: 'channel_id', new_value: channelId },
          { key: 'max_uses', new_value: inserted.maxUses },
          { key: 'max_age', new_value: inserted.maxAge },
          { key: 'temporary', new_value: inserted.temporary },
        ],
        reason,
      });
      return inserted;
    });
    const invite = await this.toWire(db, row, { metadata: true });
    pending.add('INVITE_CREATE', Topic.guild(guildId), {
      channel_id: channelId,
      guild_id: guildId,
      code: row.code,
      created_at: row.createdAt.toISOString(),
      inviter: invite.inviter,
      max_age: row.maxAge,
      max_uses: row.maxUses,
      temporary: row.temporary,
      uses: 0,
      expires_at: invite.expires_at,
    });
    pending.publish(this.deps.events);
    return invite;
  }

  async listForChannel(principal: Principal, channelId: string): Promise<Invite[]> {
    const { db } = this.deps;
    const { permissions } = await loadChannelForActor(db, channelId, principal.userId);
    if (!hasPermission(permissions, Permission.MANAGE_CHANNELS)) throw missingPermissions();
    const rows = await db
      .select()
      .from(invites)
      .where(and(eq(invites.channelId, channelId), live()))
      .orderBy(desc(invites.createdAt));
    return Promise.all(rows.map((r) => this.toWire(db, r, { metadata: true })));
  }

  async listForGuild(principal: Principal, guildId: string): Promise<Invite[]> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_GUILD);
    const rows = await db
      .select()
      .from(invites)
      .where(and(eq(invites.guildId, guildId), live()))
      .orderBy(desc(invites.createdAt));
    return Promise.all(rows.map((r) => this.toWire(db, r, { metadata: true })));
  }

  /** GET /invites/:code: a preview anyone holding the code may see, member or not. */
  async preview(code: string, opts: { withCounts: boolean }): Promise<Invite> {
    const row = await this.findLive(this.deps.db, code);
    return this.toWire(this.deps.db, row, { counts: opts.withCounts });
  }

  /**
   * POST /invites/:code: joins the guild. A banned user cannot; a member joins nothing new and spends no use.
   * The use is taken by one conditional UPDATE, so when two people race for the last use exactly one gets it.
   */
  async join(principal: Principal, code: string): Promise<Invite & { new_member: boolean }> {
    const { db } = this.deps;
    const pending = new PendingEvents();
    const outcome = await db.transaction(async (tx) => {
      const row = await this.findLive(tx, code);
      await admitToGuild(tx, row.guildId, principal.userId);
      const [existing] = await tx
        .select()
        .from(members)
        .where(and(eq(members.guildId, row.guildId), eq(members.userId, principal.userId)));
      if (existing) return { row, joined: false };
      const [used] = await tx
        .update(invites)
        .set({ uses: sql`${invites.uses} + 1` })
        .where(
          and(eq(invites.code, code), live(), or(eq(invites.maxUses, 0), lt(invites.uses, invites.maxUses))),
        )
        .returning();
      if (!used) throw unknownInvite();
      await this.members.addMember(tx, pending, row.guildId, principal.userId, { temporary: row.temporary });
      const [guild] = await tx
        .select({ systemChannelId: guilds.systemChannelId })
        .from(guilds)
        .where(eq(guilds.id, row.guildId));
      await this.messages.userJoined(
        tx,
        pending,
        row.guildId,
        guild?.systemChannelId ?? null,
        principal.userId,
      );
      if (used.maxUses > 0 && used.uses >= used.maxUses) {
        await tx.delete(invites).where(eq(invites.code, code));
        pending.add('INVITE_DELETE', Topic.guild(row.guildId), {
          channel_id: row.channelId,
          guild_id: row.guildId,
          code,
        });
      }
      return { row: used, joined: true };
    });
    if (outcome.joined)
      pending.add(
        'GUILD_CREATE',
        Topic.user(principal.userId),
        await this.guilds.fullGuild(db, outcome.row.guildId),
      );
    pending.publish(this.deps.events);
    if (outcome.joined) await this.presence.announce(principal.userId, outcome.row.guildId);
    return { ...(await this.toWire(db, outcome.row, {})), new_member: outcome.joined };
  }

  async delete(principal: Principal, code: string, reason: string | null): Promise<Invite> {
    const { db, ids } = this.deps;
    const [row] = await db.select().from(invites).where(eq(invites.code, code));
    if (!row) throw unknownInvite();
    let allowed: boolean;
    try {
      const { actor, permissions } = await loadChannelForActor(db, row.channelId, principal.userId);
      allowed =
        hasPermission(permissions, Permission.MANAGE_CHANNELS) ||
        hasPermission(actor.permissions, Permission.MANAGE_GUILD);
    } catch {
      throw unknownInvite();
    }
    if (!allowed) throw missingPermissions();
    const wire = await this.toWire(db, row, { metadata: true });
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await tx.delete(invites).where(eq(invites.code, code));
      await writeAudit(tx, ids, pending, {
        guildId: row.guildId,
        userId: principal.userId,
        targetId: code,
        actionType: AuditLogEvent.InviteDelete,
        changes: [
          { key: 'code', old_value: code },
          { key: 'channel_id', old_value: row.channelId },
          { key: 'uses', old_value: row.uses },
        ],
        reason,
      });
    });
    pending.add('INVITE_DELETE', Topic.guild(row.guildId), {
      channel_id: row.channelId,
      guild_id: row.guildId,
      code,
    });
    pending.publish(this.deps.events);
    return wire;
  }

  private async findLive(db: DbOrTx, code: string): Promise<InviteRow> {
    if (!/^[A-Za-z0-9-]{1,32}$/.test(code)) throw unknownInvite();
    const [row] = await db
      .select()
      .from(invites)
      .where(and(eq(invites.code, code), live()));
    if (!row || (row.maxUses > 0 && row.uses >= row.maxUses)) throw unknownInvite();
    return row;
  }

  private async toWire(
    db: DbOrTx,
    row: InviteRow,
    opts: { metadata?: boolean; counts?: boolean },
  ): Promise<Invite> {
    const [[guild], [channel], inviterRows] = await Promise.all([
      db.select().from(guilds).where(eq(guilds.id, row.guildId)),
      db.select().from(channels).where(eq(channels.id, row.channelId)),
      row.inviterId ? db.select().from(users).where(eq(users.id, row.inviterId)) : Promise.resolve([]),
    ]);
    const invite: Invite = {
      type: 0,
      code: row.code,
      guild: {
        id: guild.id,
        name: guild.name,
        icon: guild.icon,
        description: guild.description,
        features: guild.features,
        verification_level: guild.verificationLevel,
        nsfw_level: 0,
        splash: null,
        banner: null,
        vanity_url_code: null,
      },
      guild_id: guild.id,
      channel: channel ? { id: channel.id, name: channel.name, type: channel.type } : null,
      ...(inviterRows[0] ? { inviter: toPublicUser(inviterRows[0]) } : {}),
      expires_at: row.expiresAt?.toISOString() ?? null,
    };
    if (opts.counts) Object.assign(invite, (await this.guilds.counts(db, [row.guildId])).get(row.guildId));
    if (opts.metadata) {
      Object.assign(invite, {
        uses: row.uses,
        max_uses: row.maxUses,
        max_age: row.maxAge,
        temporary: row.temporary,
        created_at: row.createdAt.toISOString(),
      });
    }
    return invite;
  }
}

/** Invites that have not expired. */
function live() {
  return or(isNull(invites.expiresAt), gt(invites.expiresAt, sql`now()`))!;
}
