import { Readable } from 'node:stream';
import { ErrorCode, isSnowflake, Limits } from '@hearth/protocol';
import { and, eq, inArray, isNotNull, isNull, lt, type SQL, sql } from 'drizzle-orm';
import { ImageError, plainImage, processPostedImage } from '../../media/images';
import { isInlineSafe, sniffContentType } from '../../media/sniff';
import type { DbOrTx } from '../../store/db';
import { mediaAttachments, posts, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError } from '../errors';
import { imageErrorMessage, imageWorkBusy } from '../images';
import { type IncomingFile, joined, readHead } from '../messages/uploads';
import { recordNotFound, unprocessable } from './errors';
import { accountTopic } from './follows.service';
import type { SocialUrls } from './mastodon.wire';
import {
  type MediaRow,
  type MediaVariant,
  mediaFileName,
  mediaPath,
  openVisibility,
  toMediaAttachment,
} from './media.wire';
import { finishPage, type PageQuery, pageQuery } from './paging';
import { fetchRemoteFile, RemoteFetchError } from './remote-fetch';
import { statusViews } from './status-views';

// Media attachments of statuses (ADR 0033): uploaded first (POST /api/v2/media), then attached by a status.

/** Images Hearth processes (re-encoded, with a `small` version and a blurhash). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/** Video and audio, stored and served as uploaded (Hearth does not transcode). */
const PLAYABLE: Record<string, 'video' | 'audio'> = {
  'video/mp4': 'video',
  'video/webm': 'video',
  'video/quicktime': 'video',
  'audio/mpeg': 'audio',
  'audio/ogg': 'audio',
  'audio/wav': 'audio',
  'audio/flac': 'audio',
  'audio/mp4': 'audio',
};
/** What `configuration.media_attachments.supported_mime_types` advertises. */
export const SUPPORTED_MEDIA_TYPES = [...IMAGE_TYPES, ...Object.keys(PLAYABLE)];

/** Unattached uploads are removed after this long (Mastodon's rule: a day). */
const UNATTACHED_MEDIA_TTL_MS = 24 * 60 * 60 * 1000;
/** Expired uploads removed per run of the sweep. */
const EXPIRE_BATCH = 500;
const SNIFF_BYTES = 8192;

/** Remote files stored per run of the remote media sweep. */
const REMOTE_SWEEP_BATCH = 500;

/** The columns of a processed image's row: its type, size, both sizes in pixels and blurhash. */
function imageColumns(image: Awaited<ReturnType<typeof processPostedImage>>) {
  return {
    type: 'image' as const,
    contentType: image.original.contentType,
    size: image.original.data.length,
    width: image.original.width,
    height: image.original.height,
    previewWidth: image.small.width,
    previewHeight: image.small.height,
    blurhash: image.blurhash,
  };
}

/** A remote status's attachment as its instance describes it (the federation area read it; ADR 0052). */
export interface RemoteMediaInput {
  url: string;
  mediaType: string | null;
  description: string | null;
  blurhash: string | null;
  width: number | null;
  height: number | null;
  focus: { x: number; y: number } | null;
}

export interface MediaFields {
  description?: string | null;
  focus?: string | null;
}

const fileTooLarge = (limit: number, what: string) =>
  new ApiError(413, ErrorCode.RequestTooLarge, `${what} may be at most ${limit} bytes`);

const folderOf = (row: { userId: string; id: string }) => `social-media/${row.userId}/${row.id}`;

/** Alt text as given (null clears it), at most Limits.mediaDescriptionChars characters. */
function description(value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value.trim() === '') return null;
  if ([...value].length > Limits.mediaDescriptionChars)
    throw unprocessable(`Description is too long (maximum is ${Limits.mediaDescriptionChars} characters)`);
  return value;
}

/** A focal point `"x,y"`, each from -1.0 to 1.0 (Mastodon's), or undefined when not given. */
function focus(value: string | null | undefined): { x: number; y: number } | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  const [x, y] = m ? [Number(m[1]), Number(m[2])] : [Number.NaN, Number.NaN];
  if (!(Math.abs(x) <= 1 && Math.abs(y) <= 1))
    throw unprocessable('Focus must be two numbers from -1.0 to 1.0, as "x,y"');
  return { x, y };
}

/** The columns a change of alt text or focus sets, checked (422 when invalid). */
function changesOf(fields: MediaFields): Partial<MediaRow> {
  const alt = description(fields.description);
  const point = focus(fields.focus);
  return {
    ...(alt !== undefined ? { description: alt } : {}),
    ...(point ? { focusX: point.x, focusY: point.y } : {}),
    updatedAt: new Date(),
  };
}

/** Passes a stream through, refusing it at the first byte past `limit`. */
async function* bounded(source: AsyncIterable<Buffer>, limit: number, what: string) {
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > limit) throw fileTooLarge(limit, what);
    yield chunk;
  }
}

async function readBounded(source: AsyncIterable<Buffer>, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of bounded(source, limit, what)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

type StagedMedia = Omit<
  MediaRow,
  | 'description'
  | 'focusX'
  | 'focusY'
  | 'statusId'
  | 'position'
  | 'createdAt'
  | 'updatedAt'
  | 'trashedAt'
  | 'remoteUrl'
  | 'cachedAt'
>;

/**
 * One upload (`POST /api/v2/media`): the file is stored as it arrives (images processed first), then `finish`
 * writes its row with the fields that may have come after it. Unless finished, `discard` removes what was stored.
 */
export class MediaUpload {
  private staged: StagedMedia | null = null;
  private folder: string | null = null;
  private kept = false;

  constructor(
    private readonly deps: Deps,
    private readonly urls: SocialUrls,
    private readonly userId: string,
  ) {}

  /**
   * Receives the `file` part: its type is sniffed, never taken from the client. Images (PNG, JPEG, GIF, WebP; up to
   * Limits.imageUploadBytes) are processed now, within the pixel budget and the image lane (ADR 0016); video and
   * audio stream to storage up to Limits.mediaVideoBytes. Anything else is 422.
   */
  async receive(file: IncomingFile): Promise<void> {
    if (this.folder) throw unprocessable('Only one file may be sent');
    const id = this.deps.ids.next();
    const folder = folderOf({ userId: this.userId, id });
    this.folder = folder;
    const chunks = file.stream[Symbol.asyncIterator]();
    const head = await readHead(chunks, SNIFF_BYTES);
    const contentType = sniffContentType(head.bytes);
    const base = { userId: this.userId, id, storageKey: `${folder}/original` };
    if (IMAGE_TYPES.has(contentType)) {
      const data = await readBounded(joined(head, chunks), Limits.imageUploadBytes, 'Images');
      const image = await processPostedImage(data, {
        side: Limits.mediaImageSide,
        previewSide: Limits.mediaPreviewSize,
      }).catch((err) => {
        throw mediaImageError(err);
      });
      const previewKey = `${folder}/small`;
      await this.deps.storage.put(base.storageKey, image.original.data, image.original.contentType);
      await this.deps.storage.put(previewKey, image.small.data, image.small.contentType);
      this.staged = {
        ...base,
        previewKey,
        ...imageColumns(image),
      };
      return;
    }
    const kind = PLAYABLE[contentType];
    if (!kind) throw unprocessable('File content type is invalid');
    const body = Readable.from(
      bounded(joined(head, chunks), Limits.mediaVideoBytes, 'Video and audio files'),
    );
    const { size } = await this.deps.storage.put(base.storageKey, body, contentType);
    this.staged = {
      ...base,
      type: kind,
      contentType,
      previewKey: null,
      size,
      width: null,
      height: null,
      previewWidth: null,
      previewHeight: null,
      blurhash: null,
    };
  }

  /** Writes the upload's row with its alt text and focus; answers its MediaAttachment. */
  async finish(fields: MediaFields) {
    if (!this.staged) throw unprocessable("File can't be blank");
    const alt = description(fields.description);
    const point = focus(fields.focus);
    const [row] = await this.deps.db
      .insert(mediaAttachments)
      .values({
        ...this.staged,
        description: alt ?? null,
        focusX: point?.x ?? 0,
        focusY: point?.y ?? 0,
      })
      .returning();
    this.kept = true;
    return toMediaAttachment(row, this.urls, { open: false });
  }

  /** Removes the stored file unless its row was written. */
  async discard(): Promise<void> {
    if (this.kept || !this.folder) return;
    await this.deps.storage.deletePrefix(this.folder).catch(() => {});
  }
}

/** An image that could not be processed, as Mastodon words it (422), or 503 when the image lane is full. */
function mediaImageError(err: unknown): unknown {
  if (err instanceof ImageError && err.code === 'busy') return imageWorkBusy();
  if (err instanceof ImageError) return unprocessable(`File ${imageErrorMessage(err)}`);
  return err;
}

/** A person's media attachments: upload, alt text and focus, attaching to statuses, expiry, serving (ADR 0033). */
export class MediaService {
  private defaults = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly deps: Deps,
    private readonly urls: SocialUrls,
  ) {}

  /** Starts an upload by the caller (any signed-in user may upload). */
  startUpload(principal: Principal): MediaUpload {
    return new MediaUpload(this.deps, this.urls, principal.userId);
  }

  /** One of the caller's own uploads; anyone else's is 404. */
  async get(principal: Principal, id: string) {
    const row = await this.own(this.deps.db, principal.userId, id);
    if (!row) throw recordNotFound();
    return toMediaAttachment(row, this.urls, { open: false });
  }

  /** Changes alt text or focus of the caller's upload while it is not attached (Mastodon's rule); else 404. */
  async update(principal: Principal, id: string, fields: MediaFields) {
    const [row] = await this.deps.db
      .update(mediaAttachments)
      .set(changesOf(fields))
      .where(unattached(principal.userId, id))
      .returning();
    if (!row) throw recordNotFound();
    return toMediaAttachment(row, this.urls, { open: false });
  }

  /** Deletes the caller's upload that no status uses (422 when one does, as Mastodon); its files go with it. */
  async remove(principal: Principal, id: string): Promise<void> {
    const existing = await this.own(this.deps.db, principal.userId, id);
    if (!existing) throw recordNotFound();
    if (existing.statusId) throw unprocessable('Media attachment is currently used by a status');
    const gone = await this.deps.db
      .delete(mediaAttachments)
      .where(unattached(principal.userId, id))
      .returning();
    if (gone.length === 0) throw unprocessable('Media attachment is currently used by a status');
    await this.deleteFiles(gone);
  }

  /**
   * Makes `ids` (in order) the attachments of the caller's status `statusId`, in its transaction: each must be the
   * caller's and not attached to another status (else 422, the same whichever it is: nobody learns of others'
   * uploads); at most 4 images, or one video or audio. Attachments the status had that are not in `ids` leave its
   * current version (they stay for its history). Answers the rows in order.
   */
  async attach(tx: DbOrTx, owner: string, statusId: string, ids: string[]): Promise<MediaRow[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length > Limits.statusMediaMax)
      throw unprocessable(`You can attach at most ${Limits.statusMediaMax} files`);
    if (!wanted.every((id) => isSnowflake(id))) throw mediaNotFound();
    const rows = wanted.length
      ? await tx
          .select()
          .from(mediaAttachments)
          .where(
            and(
              eq(mediaAttachments.userId, owner),
              inArray(mediaAttachments.id, wanted),
              isNull(mediaAttachments.trashedAt),
              sql`(${mediaAttachments.statusId} is null or ${mediaAttachments.statusId} = ${statusId})`,
            ),
          )
          .for('update')
      : [];
    if (rows.length !== wanted.length) throw mediaNotFound();
    if (rows.length > 1 && rows.some((r) => r.type !== 'image'))
      throw unprocessable('A status may have up to 4 images or one video or audio file, not both');
    await tx
      .update(mediaAttachments)
      .set({ position: null })
      .where(and(eq(mediaAttachments.userId, owner), eq(mediaAttachments.statusId, statusId)));
    const ordered: MediaRow[] = [];
    for (const [position, id] of wanted.entries()) {
      const [row] = await tx
        .update(mediaAttachments)
        .set({ statusId, position, updatedAt: new Date() })
        .where(and(eq(mediaAttachments.userId, owner), eq(mediaAttachments.id, id)))
        .returning();
      ordered.push(row);
    }
    return ordered;
  }

  /**
   * Records a remote status's attachments (at most Limits.statusMediaMax, in order) in its transaction, each with
   * its remote URL and type `unknown` until a `social.remote-media-fetch` job (enqueued in the same transaction)
   * stores its file. On an edit, attachments whose URL is still there keep their file (their alt text follows the
   * edit); the others leave the status (deleted: answered, for deleteFiles after the commit).
   */
  async attachRemote(
    tx: DbOrTx,
    owner: string,
    statusId: string,
    list: RemoteMediaInput[],
  ): Promise<{ changed: boolean; removed: MediaRow[] }> {
    const wanted = list.slice(0, Limits.statusMediaMax);
    const current = await tx
      .select()
      .from(mediaAttachments)
      .where(and(eq(mediaAttachments.userId, owner), eq(mediaAttachments.statusId, statusId)))
      .for('update');
    const urls = new Set(wanted.map((m) => m.url));
    const removed = current.filter((r) => !r.remoteUrl || !urls.has(r.remoteUrl));
    if (removed.length)
      await tx.delete(mediaAttachments).where(
        and(
          eq(mediaAttachments.userId, owner),
          inArray(
            mediaAttachments.id,
            removed.map((r) => r.id),
          ),
        ),
      );
    let changed = removed.length > 0;
    const seen = new Set<string>();
    for (const [position, m] of wanted.entries()) {
      if (seen.has(m.url)) continue;
      seen.add(m.url);
      const alt = m.description ? [...m.description].slice(0, Limits.mediaDescriptionChars).join('') : null;
      const kept = current.find((r) => r.remoteUrl === m.url);
      if (kept) {
        if (kept.position === position && kept.description === alt) continue;
        changed = true;
        await tx
          .update(mediaAttachments)
          .set({ position, description: alt, updatedAt: new Date() })
          .where(and(eq(mediaAttachments.userId, owner), eq(mediaAttachments.id, kept.id)));
        continue;
      }
      changed = true;
      const id = this.deps.ids.next();
      await tx.insert(mediaAttachments).values({
        userId: owner,
        id,
        type: 'unknown',
        contentType: m.mediaType ?? 'application/octet-stream',
        storageKey: `${folderOf({ userId: owner, id })}/original`,
        size: 0,
        width: m.width,
        height: m.height,
        description: alt,
        focusX: m.focus?.x ?? 0,
        focusY: m.focus?.y ?? 0,
        blurhash: m.blurhash,
        statusId,
        position,
        remoteUrl: m.url,
      });
      await this.deps.jobs.enqueue('social.remote-media-fetch', { userId: owner, id }, { key: id }, tx);
    }
    return { changed, removed };
  }

  /**
   * The `social.remote-media-fetch` job: fetches a remote attachment's file (bounded: REMOTE_MEDIA_MAX_BYTES, images
   * Limits.imageUploadBytes and the pixel budget) and stores it as a local upload would be (type sniffed from the
   * bytes; images re-encoded with a `small` version and a blurhash; video and audio as they are). Anything else, or a
   * refused fetch, leaves it `unknown`, shown by its remote URL. Throws (the job is retried) when the instance did not
   * answer; waits for the next minute when the instance's budget is spent.
   */
  async fetchRemote(userId: string, id: string): Promise<void> {
    const [row] = await this.deps.db
      .select()
      .from(mediaAttachments)
      .where(and(eq(mediaAttachments.userId, userId), eq(mediaAttachments.id, id)));
    if (!row?.remoteUrl || row.cachedAt || row.statusId === null) return;
    let data: Buffer;
    try {
      data = await fetchRemoteFile(this.deps, row.remoteUrl, this.deps.config.remoteMediaMaxBytes);
    } catch (err) {
      if (!(err instanceof RemoteFetchError)) throw err;
      if (err.kind === 'rate') {
        await this.deps.jobs.enqueue(
          'social.remote-media-fetch',
          { userId, id },
          { key: `${id}:later`, delayMs: err.waitMs + 1000 },
        );
        return;
      }
      if (err.kind === 'retry') throw err;
      this.deps.log.info({ url: row.remoteUrl, reason: err.message }, 'a remote media file was not fetched');
      return;
    }
    const folder = folderOf(row);
    const contentType = sniffContentType(data.subarray(0, SNIFF_BYTES));
    let changes: Partial<MediaRow>;
    if (IMAGE_TYPES.has(contentType)) {
      if (data.length > Limits.imageUploadBytes) return;
      let image: Awaited<ReturnType<typeof processPostedImage>>;
      try {
        image = await processPostedImage(data, {
          side: Limits.mediaImageSide,
          previewSide: Limits.mediaPreviewSize,
        });
      } catch (err) {
        if (err instanceof ImageError && err.code !== 'busy') {
          this.deps.log.info({ url: row.remoteUrl, err }, 'a remote image was refused');
          return;
        }
        throw err;
      }
      await this.deps.storage.put(`${folder}/original`, image.original.data, image.original.contentType);
      await this.deps.storage.put(`${folder}/small`, image.small.data, image.small.contentType);
      changes = {
        storageKey: `${folder}/original`,
        previewKey: `${folder}/small`,
        ...imageColumns(image),
      };
    } else if (PLAYABLE[contentType]) {
      await this.deps.storage.put(`${folder}/original`, data, contentType);
      changes = {
        type: PLAYABLE[contentType],
        contentType,
        storageKey: `${folder}/original`,
        previewKey: null,
        size: data.length,
      };
    } else {
      this.deps.log.info({ url: row.remoteUrl, contentType }, 'a remote media file of no supported type');
      return;
    }
    const stored = await this.deps.db
      .update(mediaAttachments)
      .set({ ...changes, cachedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(mediaAttachments.userId, userId), eq(mediaAttachments.id, id)))
      .returning();
    // The status went while the file was read: its row is gone, so is the file.
    if (stored.length === 0) await this.deleteFiles([row]);
    else await this.statusChanged(stored[0]);
  }

  /**
   * The `social.remote-media-sweep` job (hourly): remote files stored more than REMOTE_MEDIA_CACHE_DAYS ago are
   * removed, REMOTE_SWEEP_BATCH a run; their attachments stay, shown by their remote URL again (Mastodon's
   * `tootctl media remove`). Answers how many.
   */
  async sweepRemote(now = new Date()): Promise<number> {
    const days = this.deps.config.remoteMediaCacheDays;
    if (days <= 0) return 0;
    const before = new Date(now.getTime() - days * 86_400_000);
    const gone = await this.deps.db.transaction(async (tx) => {
      const due = await tx
        .select({ userId: mediaAttachments.userId, id: mediaAttachments.id })
        .from(mediaAttachments)
        .where(and(isNotNull(mediaAttachments.cachedAt), lt(mediaAttachments.cachedAt, before)))
        .limit(REMOTE_SWEEP_BATCH)
        .for('update', { skipLocked: true });
      for (const d of due)
        await tx
          .update(mediaAttachments)
          .set({ cachedAt: null, previewKey: null, size: 0, updatedAt: new Date() })
          .where(and(eq(mediaAttachments.userId, d.userId), eq(mediaAttachments.id, d.id)));
      return due;
    });
    await this.deleteFiles(gone);
    return gone.length;
  }

  /** The ids of a status's current attachments, in order. */
  async currentIds(tx: DbOrTx, owner: string, statusId: string): Promise<string[]> {
    const rows = await tx
      .select({ id: mediaAttachments.id, position: mediaAttachments.position })
      .from(mediaAttachments)
      .where(and(eq(mediaAttachments.userId, owner), eq(mediaAttachments.statusId, statusId)));
    return rows
      .filter((r) => r.position !== null)
      .sort((a, b) => (a.position as number) - (b.position as number))
      .map((r) => r.id);
  }

  /** New alt text or focus for attachments of the caller's status (an edit's `media_attributes`). */
  async describe(
    tx: DbOrTx,
    owner: string,
    statusId: string,
    attributes: Array<{ id: string } & MediaFields>,
  ): Promise<void> {
    for (const a of attributes) {
      const changes = changesOf(a);
      if (!isSnowflake(a.id)) throw mediaNotFound();
      const changed = await tx
        .update(mediaAttachments)
        .set(changes)
        .where(
          and(
            eq(mediaAttachments.userId, owner),
            eq(mediaAttachments.id, a.id),
            eq(mediaAttachments.statusId, statusId),
          ),
        )
        .returning({ id: mediaAttachments.id });
      if (changed.length === 0) throw mediaNotFound();
    }
  }

  /** Deletes every attachment of a status being deleted, in its transaction; pass the rows to deleteFiles after. */
  async detachAll(tx: DbOrTx, owner: string, statusId: string): Promise<MediaRow[]> {
    return tx
      .delete(mediaAttachments)
      .where(and(eq(mediaAttachments.userId, owner), eq(mediaAttachments.statusId, statusId)))
      .returning();
  }

  /** Removes the stored files of deleted rows (after their deletion committed). */
  async deleteFiles(rows: Array<{ userId: string; id: string }>): Promise<void> {
    await Promise.all(rows.map((r) => this.deps.storage.deletePrefix(folderOf(r)).catch(() => {})));
  }

  /** Attachments of earlier versions of a status, by id (an edit may have taken them out of the current one). */
  async byIds(db: DbOrTx, owner: string, ids: string[]): Promise<Map<string, MediaRow>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .select()
      .from(mediaAttachments)
      .where(and(eq(mediaAttachments.userId, owner), inArray(mediaAttachments.id, ids)));
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Deletes up to `limit` of `owner`'s uploads, files and all (an account being deleted: its statuses, which took
   * their attachments with them, are gone first); answers how many.
   */
  async removeAllOf(owner: string, limit: number): Promise<number> {
    return this.removeWhere(eq(mediaAttachments.userId, owner), limit);
  }

  /**
   * Removes uploads never attached to a status and older than a day (the `social.media-expire` job, hourly), files
   * and all; at most EXPIRE_BATCH a run. A status attaching one at the same moment either gets it or a 422.
   */
  async expireUnattached(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - UNATTACHED_MEDIA_TTL_MS);
    return this.removeWhere(
      and(isNull(mediaAttachments.statusId), lt(mediaAttachments.createdAt, before)),
      EXPIRE_BATCH,
    );
  }

  /** Deletes up to `limit` uploads matching `where` (rows locked by another run skipped), then their files. */
  private async removeWhere(where: SQL | undefined, limit: number): Promise<number> {
    const gone = await this.deps.db.transaction(async (tx) => {
      const due = await tx
        .select({ id: mediaAttachments.id })
        .from(mediaAttachments)
        .where(where)
        .limit(limit)
        .for('update', { skipLocked: true });
      if (due.length === 0) return [];
      return tx
        .delete(mediaAttachments)
        .where(
          and(
            where,
            inArray(
              mediaAttachments.id,
              due.map((d) => d.id),
            ),
          ),
        )
        .returning({ userId: mediaAttachments.userId, id: mediaAttachments.id });
    });
    await this.deleteFiles(gone);
    return gone.length;
  }

  /**
   * The caller's media library: every upload of theirs still stored (attached or waiting to be), newest first,
   * each a MediaAttachment with the status it belongs to and when it was uploaded.
   */
  async library(principal: Principal, q: PageQuery & { trash?: boolean }) {
    const p = pageQuery(mediaAttachments.id, q);
    const rows = await this.deps.db
      .select()
      .from(mediaAttachments)
      .where(
        and(
          eq(mediaAttachments.userId, principal.userId),
          q.trash ? isNotNull(mediaAttachments.trashedAt) : isNull(mediaAttachments.trashedAt),
          p.where,
        ),
      )
      .orderBy(p.orderBy)
      .limit(p.limit);
    const page = finishPage(rows, (r) => r.id, p.ascending);
    return { ...page, items: page.items.map((r) => this.libraryItem(r)) };
  }

  /**
   * Hearth's library edit: alt text (and focus) of the caller's upload, attached to a status or not (Mastodon's
   * `PUT /api/v1/media/:id` stops at attachment); the status's readers are told (SOCIAL_STATUS_UPDATE). Anyone
   * else's is 404. Answers the library item.
   */
  async editInLibrary(principal: Principal, id: string, fields: MediaFields) {
    const [row] = await this.deps.db
      .update(mediaAttachments)
      .set(changesOf(fields))
      .where(and(eq(mediaAttachments.userId, principal.userId), eq(mediaAttachments.id, id)))
      .returning();
    if (!row) throw recordNotFound();
    await this.statusChanged(row);
    return this.libraryItem(row);
  }

  /** The caller's upload as the library lists it (404 for anyone else's). */
  async libraryEntry(principal: Principal, id: string) {
    const row = await this.own(this.deps.db, principal.userId, id);
    if (!row) throw recordNotFound();
    return this.libraryItem(row);
  }

  /**
   * A library item: the MediaAttachment (signed URLs: only its owner reads the library) with the status that uses
   * it (`status_id`; the seed's reference count is `references`, 0 or 1: ADR 0033), size, type and trash time.
   */
  private libraryItem(r: MediaRow) {
    return {
      ...toMediaAttachment(r, this.urls, { open: false }),
      status_id: r.statusId,
      references: r.statusId ? 1 : 0,
      created_at: r.createdAt.toISOString(),
      size: r.size,
      content_type: r.contentType,
      trashed_at: r.trashedAt ? r.trashedAt.toISOString() : null,
    };
  }

  /**
   * Moves the caller's upload to the trash (`on`) or restores it: in the trash it leaves its status (and the media
   * filters) and its URLs answer only when signed, until restored. Anyone else's is 404.
   */
  async trash(principal: Principal, id: string, on: boolean): Promise<void> {
    const changed = await this.deps.db
      .update(mediaAttachments)
      .set({
        trashedAt: on ? sql`coalesce(${mediaAttachments.trashedAt}, now())` : null,
        updatedAt: new Date(),
      })
      .where(and(eq(mediaAttachments.userId, principal.userId), eq(mediaAttachments.id, id)))
      .returning();
    if (changed.length === 0) throw recordNotFound();
    await this.statusChanged(changed[0]);
  }

  /**
   * Deletes an upload from the trash for good, attached or not: it leaves its status and its history, and its files
   * are removed after the commit. Only what is in the trash (422 otherwise); anyone else's is 404.
   */
  async deleteFromTrash(principal: Principal, id: string): Promise<void> {
    const existing = await this.own(this.deps.db, principal.userId, id);
    if (!existing) throw recordNotFound();
    const gone = await this.deps.db
      .delete(mediaAttachments)
      .where(
        and(
          eq(mediaAttachments.userId, principal.userId),
          eq(mediaAttachments.id, id),
          isNotNull(mediaAttachments.trashedAt),
        ),
      )
      .returning();
    if (gone.length === 0) throw unprocessable('Only media in the trash can be deleted for good');
    await this.deleteFiles(gone);
    await this.statusChanged(gone[0]);
  }

  /** Tells the status's readers (SOCIAL_STATUS_UPDATE) that its attachments changed, when the media has one. */
  private async statusChanged(media: MediaRow): Promise<void> {
    if (!media.statusId) return;
    const [post] = await this.deps.db
      .select()
      .from(posts)
      .where(and(eq(posts.userId, media.userId), eq(posts.id, media.statusId)));
    if (!post) return;
    const [status] = await statusViews(this.deps.db, this.urls, post.userId, [post]);
    this.deps.events.publish('SOCIAL_STATUS_UPDATE', accountTopic(post.userId), {
      id: post.id,
      account_id: post.userId,
      visibility: post.visibility,
      status,
    });
  }

  /**
   * The file behind a media URL, or null (a 404 that says nothing): the file must be the row's, and the URL signed
   * unless the status it is attached to is public or unlisted. A deleted status's files are gone with its rows.
   */
  async file(ref: { userId: string; id: string; file: string }, sig: { ex?: string; hm?: string }) {
    const [found] = await this.deps.db
      .select({ media: mediaAttachments, visibility: posts.visibility })
      .from(mediaAttachments)
      .leftJoin(
        posts,
        and(eq(posts.userId, mediaAttachments.userId), eq(posts.id, mediaAttachments.statusId)),
      )
      // A deactivated account's media is served to nobody, signed URL or not (as its statuses).
      .innerJoin(users, and(eq(users.id, mediaAttachments.userId), eq(users.disabled, false)))
      .where(and(eq(mediaAttachments.userId, ref.userId), eq(mediaAttachments.id, ref.id)));
    if (!found) return null;
    const row = found.media;
    const variant: MediaVariant | null =
      ref.file === mediaFileName(row, 'original')
        ? 'original'
        : ref.file === mediaFileName(row, 'small') && row.previewKey
          ? 'small'
          : null;
    if (!variant) return null;
    // A remote attachment's file is served only while it is stored (else clients have its remote URL).
    if (row.remoteUrl !== null && row.cachedAt === null) return null;
    const open = found.visibility !== null && openVisibility(found.visibility) && row.trashedAt === null;
    if (!open && !this.deps.attachmentUrls.verify(mediaPath(row, variant), sig.ex, sig.hm)) return null;
    const key = variant === 'original' ? row.storageKey : row.previewKey;
    const stored = key ? await this.deps.storage.get(key) : null;
    if (!stored) return null;
    const contentType = variant === 'original' ? row.contentType : stored.contentType;
    return {
      body: stored.body,
      size: stored.size,
      contentType,
      disposition: isInlineSafe(contentType) ? 'inline' : 'attachment',
      cacheControl: open ? 'public, max-age=3600' : 'private, max-age=3600',
    };
  }

  /**
   * The image Mastodon clients fetch for an account without an avatar or header (`…/original/missing.png`): one
   * grey PNG each, made once per process.
   */
  defaultImage(kind: 'avatar' | 'header'): Promise<Buffer> {
    let image = this.defaults.get(kind);
    if (!image) {
      image =
        kind === 'avatar'
          ? plainImage(400, 400, [0x9b, 0xa1, 0xab])
          : plainImage(1500, 500, [0x3f, 0x44, 0x4d]);
      image.catch(() => this.defaults.delete(kind));
      this.defaults.set(kind, image);
    }
    return image;
  }

  private async own(db: DbOrTx, userId: string, id: string): Promise<MediaRow | null> {
    const [row] = await db
      .select()
      .from(mediaAttachments)
      .where(and(eq(mediaAttachments.userId, userId), eq(mediaAttachments.id, id)));
    return row ?? null;
  }
}

/** The condition on one upload of `userId` that no status has. */
const unattached = (userId: string, id: string) =>
  and(eq(mediaAttachments.userId, userId), eq(mediaAttachments.id, id), isNull(mediaAttachments.statusId));

/** The same answer for an id that does not exist, is someone else's or is attached elsewhere. */
const mediaNotFound = () => unprocessable('Media attachments could not be found');
