import { Permission } from '@hearth/permissions';
import { AuditLogEvent, ErrorCode } from '@hearth/protocol';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import type { DbOrTx } from '../../store/db';
import { emojiRoles, emojis, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../errors';
import { groupBy } from '../group-by';
import { findById, type ImageSlot, storeImage } from '../images';
import { PendingEvents } from '../pending-events';
import { writeAudit } from './audit';
import { type GuildActor, loadGuildActor } from './guild-access';
import { toEmojiWire } from './guilds.wire';

const MAX_PER_KIND = 50;
/**
 * Where an emoji's image goes (guild and application emojis alike): `emojis/<id>.<ext>`, at most Discord's 256 KiB,
 * stored as 128×128.
 */
export function emojiImage(id: string, ownerId: string): ImageSlot {
  return {
    purpose: 'emoji',
    folder: 'emojis',
    fixedName: id,
    ownerId,
    width: 128,
    height: 128,
    field: 'image',
    maxBytes: 256 * 1024,
  };
}
type EmojiRow = typeof emojis.$inferSelect;

/** Custom emojis of a guild: MANAGE_GUILD_EXPRESSIONS, unique names, 50 static and 50 animated. */
export class EmojisService {
  constructor(private readonly deps: Deps) {}

  async list(principal: Principal, guildId: string) {
    await loadGuildActor(this.deps.db, guildId, principal.userId);
    return this.all(this.deps.db, guildId, true);
  }

  async get(principal: Principal, guildId: string, emojiId: string) {
    await loadGuildActor(this.deps.db, guildId, principal.userId);
    const found = (await this.all(this.deps.db, guildId, true)).find((e) => e.id === emojiId);
    if (!found) throw notFound(ErrorCode.UnknownEmoji, 'Emoji');
    return found;
  }

  async create(
    principal: Principal,
    guildId: string,
    input: { name: string; image: string; roles?: string[] },
    reason: string | null,
  ) {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_GUILD_EXPRESSIONS);
    const roles = this.validRoles(actor, input.roles ?? []);
    await this.requireFreeName(db, guildId, input.name, null);
    const id = ids.next();
    const hash = await storeImage(this.deps, emojiImage(id, guildId), input.image);
    const animated = !!hash?.startsWith('a_');
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      // Counted inside the transaction, under a lock per guild, so parallel uploads cannot pass the limit together.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`emojis:${guildId}`}))`);
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(emojis)
        .where(and(eq(emojis.guildId, guildId), eq(emojis.animated, animated)));
      if (n >= MAX_PER_KIND)
        throw new ApiError(
          400,
          ErrorCode.MaximumEmojis,
          `Maximum number of ${animated ? 'animated' : 'static'} emojis reached (${MAX_PER_KIND})`,
        );
      await tx.insert(emojis).values({ guildId, id, name: input.name, animated, userId: principal.userId });
      if (roles.length)
        await tx.insert(emojiRoles).values(roles.map((roleId) => ({ guildId, emojiId: id, roleId })));
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: id,
        actionType: AuditLogEvent.EmojiCreate,
        changes: [{ key: 'name', new_value: input.name }],
        reason,
      });
    });
    await this.publishUpdate(pending, guildId);
    return this.get(principal, guildId, id);
  }

  async modify(
    principal: Principal,
    guildId: string,
    emojiId: string,
    input: { name?: string; roles?: string[] | null },
    reason: string | null,
  ) {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_GUILD_EXPRESSIONS);
    const current = await this.find(db, guildId, emojiId);
    const roles = input.roles != null ? this.validRoles(actor, input.roles) : null;
    if (input.name !== undefined && input.name !== current.name)
      await this.requireFreeName(db, guildId, input.name, emojiId);
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      if (input.name !== undefined)
        await tx
          .update(emojis)
          .set({ name: input.name })
          .where(and(eq(emojis.guildId, guildId), eq(emojis.id, emojiId)));
      if (roles) {
        await tx
          .delete(emojiRoles)
          .where(and(eq(emojiRoles.guildId, guildId), eq(emojiRoles.emojiId, emojiId)));
        if (roles.length)
          await tx.insert(emojiRoles).values(roles.map((roleId) => ({ guildId, emojiId, roleId })));
      }
      if (input.name !== undefined && input.name !== current.name) {
        await writeAudit(tx, ids, pending, {
          guildId,
          userId: principal.userId,
          targetId: emojiId,
          actionType: AuditLogEvent.EmojiUpdate,
          changes: [{ key: 'name', old_value: current.name, new_value: input.name }],
          reason,
        });
      }
    });
    await this.publishUpdate(pending, guildId);
    return this.get(principal, guildId, emojiId);
  }

  async delete(principal: Principal, guildId: string, emojiId: string, reason: string | null): Promise<void> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_GUILD_EXPRESSIONS);
    const current = await this.find(db, guildId, emojiId);
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await tx
        .delete(emojiRoles)
        .where(and(eq(emojiRoles.guildId, guildId), eq(emojiRoles.emojiId, emojiId)));
      await tx.delete(emojis).where(and(eq(emojis.guildId, guildId), eq(emojis.id, emojiId)));
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: emojiId,
        actionType: AuditLogEvent.EmojiDelete,
        changes: [{ key: 'name', old_value: current.name }],
        reason,
      });
    });
    await this.publishUpdate(pending, guildId);
  }

  /** The image of `/emojis/:id.ext`, whatever extension is asked for. */
  image(emojiId: string) {
    return findById(this.deps, 'emoji', 'emojis', emojiId);
  }

  /** A guild's emojis in wire form, for guild objects and events. */
  async all(db: DbOrTx, guildId: string, withUsers = false) {
    const rows = await db.select().from(emojis).where(eq(emojis.guildId, guildId));
    if (!rows.length) return [];
    const roleRows = await db.select().from(emojiRoles).where(eq(emojiRoles.guildId, guildId));
    const byEmoji = groupBy(
      roleRows,
      (r) => r.emojiId,
      (r) => r.roleId,
    );
    const creators = withUsers
      ? await db
          .select()
          .from(users)
          .where(
            inArray(
              users.id,
              rows.map((r) => r.userId).filter((id): id is string => !!id),
            ),
          )
      : [];
    const byUser = new Map(creators.map((u) => [u.id, u]));
    return rows.map((e) =>
      toEmojiWire(e, byEmoji.get(e.id) ?? [], e.userId ? byUser.get(e.userId) : undefined),
    );
  }

  private async publishUpdate(pending: PendingEvents, guildId: string): Promise<void> {
    pending.add('GUILD_EMOJIS_UPDATE', Topic.guild(guildId), {
      guild_id: guildId,
      emojis: await this.all(this.deps.db, guildId),
    });
    pending.publish(this.deps.events);
  }

  private async find(db: DbOrTx, guildId: string, emojiId: string): Promise<EmojiRow> {
    const [row] = await db
      .select()
      .from(emojis)
      .where(and(eq(emojis.guildId, guildId), eq(emojis.id, emojiId)));
    if (!row) throw notFound(ErrorCode.UnknownEmoji, 'Emoji');
    return row;
  }

  private async requireFreeName(
    db: DbOrTx,
    guildId: string,
    name: string,
    except: string | null,
  ): Promise<void> {
    const same = await db
      .select({ id: emojis.id })
      .from(emojis)
      .where(and(eq(emojis.guildId, guildId), sql`lower(${emojis.name}) = lower(${name})`));
    if (same.some((e) => e.id !== except))
      throw invalidField(['name'], 'EMOJI_NAME_TAKEN', 'An emoji of this guild already has this name.');
  }

  private validRoles(actor: GuildActor, roles: string[]): string[] {
    for (const id of roles)
      if (!actor.roles.some((r) => r.id === id))
        throw invalidField(['roles'], 'ROLE_INVALID', 'Not a role of this guild.');
    return [...new Set(roles)];
  }
}
