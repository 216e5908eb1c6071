import { hasPermission, Permission } from '@hearth/permissions';
import {
  AuditLogEvent,
  type CreateWebhook,
  ErrorCode,
  isTextType,
  type ModifyWebhook,
  type ModifyWebhookWithToken,
  type Webhook,
} from '@hearth/protocol';
import { count, eq, inArray } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { users, webhooks } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions, notFound } from '../errors';
import { type AuditChange, diffChanges, writeAudit } from '../guilds/audit';
import { type ChannelRow, loadChannelForActor, loadGuildActor } from '../guilds/guild-access';
import { storeImage } from '../images';
import { PendingEvents } from '../pending-events';
import { publicUserColumns } from '../users/users.wire';
import { newWebhookToken, tokenMatches, toWebhookWire, type WebhookRow } from './webhooks.wire';

/** Discord's limits: 15 webhooks per channel, 1000 per guild. */
const MAX_PER_CHANNEL = 15;
const MAX_PER_GUILD = 1000;
/** Channels a webhook may post in: text and announcement channels (threads through `thread_id`). */
const AVATAR = { width: 256, height: 256 };

const unknownWebhook = () => notFound(ErrorCode.UnknownWebhook, 'Webhook');

/** Discord's name rule for webhooks and the names they post under: no "clyde", no "discord", not blank. */
export function checkWebhookName(name: string, field: string): void {
  if (!name.trim()) throw invalidField([field], 'BASE_TYPE_REQUIRED', 'This field is required');
  if (/clyde|discord/i.test(name))
    throw invalidField([field], 'USERNAME_INVALID_CONTAINS', 'Username cannot contain "clyde" or "discord"');
}

/**
 * Incoming webhooks: created, listed and changed by members with MANAGE_WEBHOOKS in the channel (or the guild, for
 * the guild's list), or through the webhook's own token. A webhook in a channel the caller cannot see is unknown.
 */
export class WebhooksService {
  constructor(private readonly deps: Deps) {}

  /** POST /channels/:id/webhooks. */
  async create(
    principal: Principal,
    channelId: string,
    input: CreateWebhook,
    reason: string | null,
  ): Promise<Webhook> {
    const { db, ids } = this.deps;
    const channel = await this.managedChannel(db, principal, channelId);
    checkWebhookName(input.name, 'name');
    const id = ids.next();
    const avatar = input.avatar ? await this.storeAvatar(id, input.avatar) : null;
    const pending = new PendingEvents();
    const row = await db.transaction(async (tx) => {
      const [[inChannel], [inGuild]] = await Promise.all([
        tx.select({ n: count() }).from(webhooks).where(eq(webhooks.channelId, channelId)),
        tx.select({ n: count() }).from(webhooks).where(eq(webhooks.guildId, channel.guildId!)),
      ]);
      if (inChannel.n >= MAX_PER_CHANNEL || inGuild.n >= MAX_PER_GUILD)
        throw new ApiError(
          400,
          ErrorCode.MaximumWebhooks,
          `Maximum number of webhooks reached (${inChannel.n >= MAX_PER_CHANNEL ? MAX_PER_CHANNEL : MAX_PER_GUILD})`,
        );
      const [created] = await tx
        .insert(webhooks)
        .values({
          id,
          guildId: channel.guildId!,
          channelId,
          creatorId: principal.userId,
          name: input.name,
          avatar,
          token: newWebhookToken(),
          applicationId: principal.bot ? principal.applicationId : null,
        })
        .returning();
      await writeAudit(tx, ids, pending, {
        guildId: channel.guildId!,
        userId: principal.userId,
        targetId: id,
        actionType: AuditLogEvent.WebhookCreate,
        changes: auditValues({}, created),
        reason,
      });
      return created;
    });
    this.updated(pending, row);
    pending.publish(this.deps.events);
    return (await this.wire(db, [row], true))[0];
  }

  /** GET /channels/:id/webhooks. */
  async listChannel(principal: Principal, channelId: string): Promise<Webhook[]> {
    const { db } = this.deps;
    await this.managedChannel(db, principal, channelId);
    const rows = await db.select().from(webhooks).where(eq(webhooks.channelId, channelId));
    return this.wire(db, rows, true);
  }

  /** GET /guilds/:id/webhooks: MANAGE_WEBHOOKS in the guild. */
  async listGuild(principal: Principal, guildId: string): Promise<Webhook[]> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_WEBHOOKS);
    const rows = await db.select().from(webhooks).where(eq(webhooks.guildId, guildId));
    return this.wire(db, rows, true);
  }

  /** GET /webhooks/:id. */
  async get(principal: Principal, webhookId: string): Promise<Webhook> {
    const { db } = this.deps;
    const row = await this.managed(db, principal, webhookId);
    return (await this.wire(db, [row], true))[0];
  }

  /** PATCH /webhooks/:id: name, avatar, and a move to another channel of the guild (MANAGE_WEBHOOKS in both). */
  async modify(
    principal: Principal,
    webhookId: string,
    input: ModifyWebhook,
    reason: string | null,
  ): Promise<Webhook> {
    const { db } = this.deps;
    const row = await this.managed(db, principal, webhookId);
    if (input.channel_id !== undefined && input.channel_id !== row.channelId) {
      const target = await this.managedChannel(db, principal, input.channel_id).catch((err) => {
        if (err instanceof ApiError && err.status === 404)
          throw invalidField(['channel_id'], 'CHANNEL_INVALID', 'Unknown channel.');
        throw err;
      });
      if (target.guildId !== row.guildId)
        throw invalidField(['channel_id'], 'CHANNEL_INVALID', 'The channel must be in the same guild.');
    }
    const next = await this.change(row, input, principal.userId, reason);
    return (await this.wire(db, [next], true))[0];
  }

  /** DELETE /webhooks/:id. */
  async delete(principal: Principal, webhookId: string, reason: string | null): Promise<void> {
    const row = await this.managed(this.deps.db, principal, webhookId);
    await this.remove(row, principal.userId, reason);
  }

  /** The webhook `token` opens: 404 Unknown Webhook when there is none, 401 Invalid Webhook Token for a wrong token. */
  async authenticate(webhookId: string, token: string): Promise<WebhookRow> {
    const [row] = await this.deps.db.select().from(webhooks).where(eq(webhooks.id, webhookId));
    if (!row) throw unknownWebhook();
    if (!tokenMatches(row, token))
      throw new ApiError(401, ErrorCode.InvalidWebhookToken, 'Invalid Webhook Token');
    return row;
  }

  /** GET /webhooks/:id/:token: without `user`, as on Discord. */
  async getWithToken(webhookId: string, token: string): Promise<Webhook> {
    const row = await this.authenticate(webhookId, token);
    return toWebhookWire(row, { publicUrl: this.deps.config.publicUrl, withToken: true });
  }

  /** PATCH /webhooks/:id/:token: name and avatar only. */
  async modifyWithToken(
    webhookId: string,
    token: string,
    input: ModifyWebhookWithToken,
    reason: string | null,
  ): Promise<Webhook> {
    const row = await this.authenticate(webhookId, token);
    // The token cannot move the webhook: only its name and avatar are read.
    const next = await this.change(row, { name: input.name, avatar: input.avatar }, null, reason);
    return toWebhookWire(next, { publicUrl: this.deps.config.publicUrl, withToken: true });
  }

  /** DELETE /webhooks/:id/:token. */
  async deleteWithToken(webhookId: string, token: string, reason: string | null): Promise<void> {
    await this.remove(await this.authenticate(webhookId, token), null, reason);
  }

  private async change(
    row: WebhookRow,
    input: ModifyWebhook,
    userId: string | null,
    reason: string | null,
  ): Promise<WebhookRow> {
    const { db, ids } = this.deps;
    const changes: Partial<WebhookRow> = {};
    if (input.name !== undefined) {
      checkWebhookName(input.name, 'name');
      changes.name = input.name;
    }
    if (input.avatar !== undefined)
      changes.avatar = input.avatar === null ? null : await this.storeAvatar(row.id, input.avatar);
    if (input.channel_id !== undefined) changes.channelId = input.channel_id;
    if (!Object.keys(changes).length) return row;
    const pending = new PendingEvents();
    const next = await db.transaction(async (tx) => {
      const [updated] = await tx.update(webhooks).set(changes).where(eq(webhooks.id, row.id)).returning();
      if (!updated) throw unknownWebhook();
      const diff = auditValues(row, updated);
      if (diff.length)
        await writeAudit(tx, ids, pending, {
          guildId: row.guildId,
          userId,
          targetId: row.id,
          actionType: AuditLogEvent.WebhookUpdate,
          changes: diff,
          reason,
        });
      return updated;
    });
    this.updated(pending, next);
    if (next.channelId !== row.channelId) this.updated(pending, row);
    pending.publish(this.deps.events);
    return next;
  }

  private async remove(row: WebhookRow, userId: string | null, reason: string | null): Promise<void> {
    const { db, ids } = this.deps;
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      const gone = await tx.delete(webhooks).where(eq(webhooks.id, row.id)).returning({ id: webhooks.id });
      if (!gone.length) throw unknownWebhook();
      await writeAudit(tx, ids, pending, {
        guildId: row.guildId,
        userId,
        targetId: row.id,
        actionType: AuditLogEvent.WebhookDelete,
        changes: auditValues(row, {}),
        reason,
      });
    });
    this.updated(pending, row);
    pending.publish(this.deps.events);
  }

  /** WEBHOOKS_UPDATE to whoever can see the webhook's channel (bots with GUILD_WEBHOOKS). */
  private updated(pending: PendingEvents, row: WebhookRow): void {
    pending.add('WEBHOOKS_UPDATE', Topic.channel(row.channelId), {
      guild_id: row.guildId,
      channel_id: row.channelId,
    });
  }

  /** A guild channel webhooks can live in, where the caller has MANAGE_WEBHOOKS; unseen channels are unknown. */
  private async managedChannel(db: DbOrTx, principal: Principal, channelId: string): Promise<ChannelRow> {
    const { channel, permissions } = await loadChannelForActor(db, channelId, principal.userId);
    if (!hasPermission(permissions, Permission.MANAGE_WEBHOOKS)) throw missingPermissions();
    if (!isTextType(channel.type))
      throw new ApiError(
        400,
        ErrorCode.CannotExecuteOnChannelType,
        'Cannot execute action on this channel type',
      );
    return channel;
  }

  /** A webhook the caller may manage: unknown unless its channel is visible to the caller, 403 without the right. */
  private async managed(db: DbOrTx, principal: Principal, webhookId: string): Promise<WebhookRow> {
    const [row] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId));
    if (!row) throw unknownWebhook();
    const { permissions } = await loadChannelForActor(db, row.channelId, principal.userId).catch((err) => {
      if (err instanceof ApiError && err.status === 404) throw unknownWebhook();
      throw err;
    });
    if (!hasPermission(permissions, Permission.MANAGE_WEBHOOKS)) throw missingPermissions();
    return row;
  }

  private async wire(db: DbOrTx, rows: WebhookRow[], withToken: boolean): Promise<Webhook[]> {
    const creatorIds = [...new Set(rows.map((r) => r.creatorId).filter((id): id is string => !!id))];
    const creators = creatorIds.length
      ? await db.select(publicUserColumns).from(users).where(inArray(users.id, creatorIds))
      : [];
    const byId = new Map(creators.map((u) => [u.id, u]));
    return rows.map((r) =>
      toWebhookWire(r, {
        publicUrl: this.deps.config.publicUrl,
        withToken,
        creator: r.creatorId ? (byId.get(r.creatorId) ?? null) : null,
      }),
    );
  }

  private storeAvatar(webhookId: string, dataUri: string): Promise<string | null> {
    // Stored like a user's avatar, so /avatars/<webhook id>/<hash>.png serves it, as Discord's CDN does.
    return storeImage(
      this.deps,
      { purpose: 'avatar', folder: `avatars/${webhookId}`, ownerId: webhookId, field: 'avatar', ...AVATAR },
      dataUri,
    );
  }
}

/** The audited fields of a webhook, before and after (`{}` for none). */
function auditValues(before: Partial<WebhookRow>, after: Partial<WebhookRow>): AuditChange[] {
  const pick = (r: Partial<WebhookRow>) => ({
    name: r.name,
    avatar_hash: r.avatar ?? undefined,
    channel_id: r.channelId,
    type: r.type,
  });
  return diffChanges(pick(before), pick(after), ['name', 'avatar_hash', 'channel_id', 'type']);
}
