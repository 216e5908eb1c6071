import { hasPermission, Permission } from '@hearth/permissions';
import {
  AuditLogEvent,
  type CreateStickerFields,
  ErrorCode,
  jsonNestingExceeds,
  Limits,
  type ModifySticker,
  type Sticker,
  StickerFormat,
  type StickerItem,
  StickerType,
} from '@hearth/protocol';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { sniffContentType } from '../../media/sniff';
import type { DbOrTx } from '../../store/db';
import { mediaFiles, members, stickers, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, missingPermissions, notFound } from '../errors';
import { findById, storeImageBytes } from '../images';
import { PendingEvents } from '../pending-events';
import { toPublicUser } from '../users/users.wire';
import { writeAudit } from './audit';
import { Expressions, loadGuildActor } from './guild-access';

type StickerRow = typeof stickers.$inferSelect;
type UserRow = typeof users.$inferSelect;

const unknownSticker = () => notFound(ErrorCode.UnknownSticker, 'Sticker');
const badFile = (message: string) => invalidField(['file'], 'STICKER_FILE_INVALID', message);

function toStickerWire(s: StickerRow, user?: UserRow): Sticker {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    tags: s.tags,
    type: StickerType.Guild,
    format_type: s.formatType,
    available: s.available,
    guild_id: s.guildId,
    ...(user ? { user: toPublicUser(user) } : {}),
  };
}

/** A guild's stickers in wire form (without uploaders), for guild objects, GUILD_CREATE and events. */
export async function guildStickers(db: DbOrTx, guildId: string): Promise<Sticker[]> {
  return (await stickerRows(db, guildId)).map((s) => toStickerWire(s));
}

const stickerRows = (db: DbOrTx, guildId: string) =>
  db.select().from(stickers).where(eq(stickers.guildId, guildId)).orderBy(asc(stickers.id));

/**
 * Guild stickers (Discord's Sticker resource): members list them; CREATE_GUILD_EXPRESSIONS (or MANAGE) uploads one,
 * MANAGE_GUILD_EXPRESSIONS changes any and CREATE_GUILD_EXPRESSIONS one's own; five per guild. Hearth ships no
 * standard sticker packs. The file is re-encoded (never stored as uploaded): PNG and APNG as PNG, GIF as animated
 * WebP, Lottie as its JSON re-serialized; `format_type` stays the format uploaded.
 */
export class StickersService {
  constructor(private readonly deps: Deps) {}

  async list(principal: Principal, guildId: string): Promise<Sticker[]> {
    const actor = await loadGuildActor(this.deps.db, guildId, principal.userId);
    const rows = await stickerRows(this.deps.db, guildId);
    return this.withUploaders(rows, actor.hasAny(Expressions.manage | Expressions.create));
  }

  async get(principal: Principal, guildId: string, stickerId: string): Promise<Sticker> {
    const actor = await loadGuildActor(this.deps.db, guildId, principal.userId);
    const row = await this.find(this.deps.db, guildId, stickerId);
    return (await this.withUploaders([row], actor.hasAny(Expressions.manage | Expressions.create)))[0];
  }

  /** GET /stickers/:id: any sticker by id, as Discord shows it to anyone who sees it in a message. */
  async byId(stickerId: string): Promise<Sticker> {
    const [row] = await this.deps.db.select().from(stickers).where(eq(stickers.id, stickerId));
    if (!row) throw unknownSticker();
    return toStickerWire(row);
  }

  async create(
    principal: Principal,
    guildId: string,
    input: CreateStickerFields,
    file: Buffer,
    reason: string | null,
  ): Promise<Sticker> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.requireManageOrOwn(Expressions, 'new');
    const format = stickerFormat(file);
    if (format === null) throw badFile('The sticker must be a PNG, APNG, GIF or Lottie JSON file.');
    if (
      format === StickerFormat.Lottie &&
      !actor.guild.features.some((f) => f === 'VERIFIED' || f === 'PARTNERED')
    )
      throw badFile('Lottie stickers can only be uploaded to verified or partnered guilds.');
    const id = ids.next();
    if (format === StickerFormat.Lottie) await this.storeLottie(guildId, id, file);
    else
      await storeImageBytes(
        this.deps,
        {
          purpose: 'sticker',
          folder: 'stickers',
          fixedName: id,
          ownerId: guildId,
          width: Limits.stickerSize,
          height: Limits.stickerSize,
          fit: 'inside',
          field: 'file',
          maxDurationMs: Limits.stickerMaxDurationMs,
        },
        file,
      );
    const description = input.description || null;
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      // Counted under a lock per guild, so parallel uploads cannot pass the limit together.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`stickers:${guildId}`}))`);
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(stickers)
        .where(eq(stickers.guildId, guildId));
      if (n >= Limits.guildStickers)
        throw new ApiError(
          400,
          ErrorCode.MaximumStickers,
          `Maximum number of stickers reached (${Limits.guildStickers})`,
        );
      await tx.insert(stickers).values({
        guildId,
        id,
        name: input.name,
        description,
        tags: input.tags,
        formatType: format,
        userId: principal.userId,
      });
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: id,
        actionType: AuditLogEvent.StickerCreate,
        changes: [
          { key: 'name', new_value: input.name },
          { key: 'tags', new_value: input.tags },
          { key: 'description', new_value: description },
          { key: 'format_type', new_value: format },
        ],
        reason,
      });
    });
    await this.publishUpdate(pending, guildId);
    return this.get(principal, guildId, id);
  }

  async modify(
    principal: Principal,
    guildId: string,
    stickerId: string,
    input: ModifySticker,
    reason: string | null,
  ): Promise<Sticker> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const current = await this.find(db, guildId, stickerId);
    actor.requireManageOrOwn(Expressions, current.userId);
    const next = {
      name: input.name ?? current.name,
      tags: input.tags ?? current.tags,
      description: input.description === undefined ? current.description : input.description || null,
    };
    const changes = (['name', 'tags', 'description'] as const)
      .filter((k) => next[k] !== current[k])
      .map((key) => ({ key, old_value: current[key], new_value: next[key] }));
    if (!changes.length) return this.get(principal, guildId, stickerId);
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await tx
        .update(stickers)
        .set(next)
        .where(and(eq(stickers.guildId, guildId), eq(stickers.id, stickerId)));
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: stickerId,
        actionType: AuditLogEvent.StickerUpdate,
        changes,
        reason,
      });
    });
    await this.publishUpdate(pending, guildId);
    return this.get(principal, guildId, stickerId);
  }

  async delete(
    principal: Principal,
    guildId: string,
    stickerId: string,
    reason: string | null,
  ): Promise<void> {
    const { db, ids } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    const current = await this.find(db, guildId, stickerId);
    actor.requireManageOrOwn(Expressions, current.userId);
    const pending = new PendingEvents();
    await db.transaction(async (tx) => {
      await tx.delete(stickers).where(and(eq(stickers.guildId, guildId), eq(stickers.id, stickerId)));
      await writeAudit(tx, ids, pending, {
        guildId,
        userId: principal.userId,
        targetId: stickerId,
        actionType: AuditLogEvent.StickerDelete,
        changes: [
          { key: 'name', old_value: current.name },
          { key: 'tags', old_value: current.tags },
          { key: 'format_type', old_value: current.formatType },
        ],
        reason,
      });
    });
    await this.publishUpdate(pending, guildId);
  }

  /** The file of `/stickers/:id.ext`, whatever extension is asked for. */
  file(stickerId: string) {
    return findById(this.deps, 'sticker', 'stickers', stickerId);
  }

  /**
   * The sticker items of a message the caller sends in a channel (of `guildId`, or a DM when null): stickers of that
   * guild, or of another guild the caller is in with USE_EXTERNAL_STICKERS in the channel (`permissions`). An
   * unknown, unavailable or foreign sticker is 400 Invalid Sticker Sent.
   */
  async itemsFor(
    db: DbOrTx,
    sender: { userId: string; guildId: string | null; permissions: bigint },
    stickerIds: string[],
  ): Promise<StickerItem[]> {
    const wanted = [...new Set(stickerIds)];
    if (!wanted.length) return [];
    const rows = await db
      .select({ sticker: stickers, memberOf: members.guildId })
      .from(stickers)
      .leftJoin(members, and(eq(members.guildId, stickers.guildId), eq(members.userId, sender.userId)))
      .where(inArray(stickers.id, wanted));
    const byId = new Map(rows.map((r) => [r.sticker.id, r]));
    return wanted.map((id) => {
      const found = byId.get(id);
      if (!found?.memberOf || !found.sticker.available)
        throw new ApiError(400, ErrorCode.InvalidStickerSent, 'Invalid sticker sent');
      const external = found.sticker.guildId !== sender.guildId;
      if (external && sender.guildId && !hasPermission(sender.permissions, Permission.USE_EXTERNAL_STICKERS))
        throw missingPermissions();
      return { id, name: found.sticker.name, format_type: found.sticker.formatType };
    });
  }

  private async storeLottie(guildId: string, id: string, file: Buffer): Promise<void> {
    const data = checkLottie(file);
    const storageKey = `stickers/${id}.json`;
    await this.deps.storage.put(storageKey, data, 'application/json');
    await this.deps.db.insert(mediaFiles).values({
      storageKey,
      ownerId: guildId,
      purpose: 'sticker',
      contentType: 'application/json',
      size: data.length,
    });
  }

  private async withUploaders(rows: StickerRow[], withUsers: boolean): Promise<Sticker[]> {
    const userIds = withUsers ? [...new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])))] : [];
    const uploaders = userIds.length
      ? await this.deps.db.select().from(users).where(inArray(users.id, userIds))
      : [];
    const byId = new Map(uploaders.map((u) => [u.id, u]));
    return rows.map((r) => toStickerWire(r, r.userId ? byId.get(r.userId) : undefined));
  }

  private async publishUpdate(pending: PendingEvents, guildId: string): Promise<void> {
    pending.add('GUILD_STICKERS_UPDATE', Topic.guild(guildId), {
      guild_id: guildId,
      stickers: await guildStickers(this.deps.db, guildId),
    });
    pending.publish(this.deps.events);
  }

  private async find(db: DbOrTx, guildId: string, stickerId: string): Promise<StickerRow> {
    const [row] = await db
      .select()
      .from(stickers)
      .where(and(eq(stickers.guildId, guildId), eq(stickers.id, stickerId)));
    if (!row) throw unknownSticker();
    return row;
  }
}

/** The sticker format of a file from its bytes: PNG (APNG when it has an animation control chunk), GIF or Lottie. */
function stickerFormat(data: Buffer): number | null {
  const type = sniffContentType(data);
  if (type === 'image/png') return isApng(data) ? StickerFormat.Apng : StickerFormat.Png;
  if (type === 'image/gif') return StickerFormat.Gif;
  if (type.startsWith('text/plain') && data.subarray(0, 64).toString('utf8').trimStart().startsWith('{'))
    return StickerFormat.Lottie;
  return null;
}

/** Whether a PNG has an `acTL` chunk before its image data: an animated PNG. */
function isApng(png: Buffer): boolean {
  for (let at = 8; at + 8 <= png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'acTL') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    at += 12 + length;
  }
  return false;
}

/**
 * A Lottie animation checked as Discord checks one (at most 320×320, 5 seconds, no raster images) and serialized
 * again from what was parsed, so nothing but plain JSON is stored.
 */
function checkLottie(file: Buffer): Buffer {
  const text = file.toString('utf8');
  let doc: Record<string, unknown>;
  try {
    if (jsonNestingExceeds(text, Limits.jsonDepth)) throw new Error('too deep');
    doc = JSON.parse(text);
  } catch {
    throw badFile('Invalid Lottie JSON.');
  }
  const num = (k: string) => (typeof doc?.[k] === 'number' ? (doc[k] as number) : Number.NaN);
  const [fr, ip, op, w, h] = ['fr', 'ip', 'op', 'w', 'h'].map(num);
  if (
    typeof doc !== 'object' ||
    doc === null ||
    Array.isArray(doc) ||
    !Array.isArray(doc.layers) ||
    !(fr > 0) ||
    !(op >= ip)
  )
    throw badFile('Invalid Lottie JSON.');
  if (!(w > 0 && h > 0 && w <= Limits.stickerSize && h <= Limits.stickerSize))
    throw badFile(`Lottie animation must be at most ${Limits.stickerSize}×${Limits.stickerSize}.`);
  if (((op - ip) / fr) * 1000 > Limits.stickerMaxDurationMs)
    throw badFile('Sticker animation duration exceeds maximum of 5 seconds.');
  const assets = Array.isArray(doc.assets) ? (doc.assets as Array<Record<string, unknown>>) : [];
  if (assets.some((a) => typeof a?.p === 'string' && a.p !== ''))
    throw badFile('Uploaded Lotties cannot contain rasterized images such as PNG or JPEG.');
  return Buffer.from(JSON.stringify(doc));
}
