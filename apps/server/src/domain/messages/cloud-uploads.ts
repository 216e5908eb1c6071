import { ErrorCode, type MessageAttachmentInput, type RequestAttachmentUploads } from '@hearth/protocol';
import { and, count, eq, gt, inArray, lt } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { cloudUploads } from '../../store/schema';
import type { Deps } from '../deps';
import { ApiError, invalidField } from '../errors';
import { type AttachmentRow, deleteAttachmentFiles, safeFilename, urlFilename } from './attachments';
import { tooLarge, UploadBatch } from './uploads';

/** How long an announced upload waits for its bytes and then for its message. */
const CLOUD_UPLOAD_TTL_MS = 60 * 60_000;
/** Announced uploads one person may have waiting at once (each holds a row and, once sent, its bytes). */
const MAX_WAITING_UPLOADS = 50;
const SWEEP_BATCH = 500;

type CloudUploadRow = typeof cloudUploads.$inferSelect;

/** A wrong, expired or used upload URL: a bare 404, as for a wrong attachment URL. */
const gone = () => new ApiError(404, ErrorCode.General, '404: Not Found');
const notUploaded = () => new ApiError(400, ErrorCode.UploadedFileNotFound, 'Uploaded file not found');

/** Where the bytes of an announced upload are PUT: `upload_url` without its signature. */
const uploadPath = (channelId: string, id: string) => `/uploads/${channelId}/${id}`;

/**
 * The entries of an unchecked `attachments` list (an interaction's answer takes any) that name cloud uploads, in the
 * shape a message's list is checked to (anything else in them is left to the multipart reading).
 */
export function uploadEntries(entries: unknown[] | undefined): MessageAttachmentInput[] {
  const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : undefined);
  return (entries ?? []).flatMap((e) => {
    if (typeof e !== 'object' || e === null) return [];
    const entry = e as Record<string, unknown>;
    if (entry.uploaded_filename === undefined) return [];
    return [
      {
        id: String(entry.id ?? ''),
        uploaded_filename: text(entry.uploaded_filename, 400) ?? '',
        filename: text(entry.filename, 255),
        description: text(entry.description, 1024),
      },
    ];
  });
}

/** The id an `uploaded_filename` names (`<id>/<name>`), or null. */
function uploadedId(uploadedFilename: string): string | null {
  return /^(\d{1,20})\/[^/]+$/.exec(uploadedFilename)?.[1] ?? null;
}

/**
 * Discord's cloud-upload flow: a client announces files for a channel (authorized as a message's files are), PUTs
 * each file's bytes to a signed, expiring, single-use URL, and names them by `uploaded_filename` in a message of the
 * same channel. The bytes take the same path as a multipart file (UploadBatch: streamed, counted, sniffed, previewed)
 * into the folder its attachment keeps, so a message only moves the row. Unused uploads are swept with their files.
 */
export class CloudUploads {
  constructor(private readonly deps: Deps) {}

  /**
   * Records the announced files of a caller already authorized to attach files to the channel (`grant`), each
   * within their upload limit, and answers where to PUT each one.
   */
  async announce(
    grant: UploadBatch['grant'],
    input: RequestAttachmentUploads,
  ): Promise<{
    attachments: Array<{ id: string; upload_url: string; upload_filename: string }>;
  }> {
    const { db, ids, attachmentUrls } = this.deps;
    for (const file of input.files) if (file.file_size > grant.limitBytes) throw tooLarge(grant.limitBytes);
    const [{ waiting }] = await db
      .select({ waiting: count() })
      .from(cloudUploads)
      .where(eq(cloudUploads.uploaderId, grant.uploaderId));
    if (waiting + input.files.length > MAX_WAITING_UPLOADS)
      throw invalidField(
        ['files'],
        'TOO_MANY_UPLOADS',
        `At most ${MAX_WAITING_UPLOADS} uploads may wait for their message at once.`,
      );
    const now = Date.now();
    const rows = input.files.map((file) => ({
      channelId: grant.channelId,
      id: ids.next(),
      uploaderId: grant.uploaderId,
      filename: safeFilename(file.filename),
      declaredSize: file.file_size,
      expiresAt: new Date(now + CLOUD_UPLOAD_TTL_MS),
    }));
    await db.insert(cloudUploads).values(rows);
    return {
      attachments: rows.map((row, i) => ({
        id: String(input.files[i].id ?? i),
        upload_url: attachmentUrls.signPath(uploadPath(row.channelId, row.id), now, CLOUD_UPLOAD_TTL_MS),
        upload_filename: `${row.id}/${urlFilename(row.filename)}`,
      })),
    };
  }

  /**
   * The PUT of an announced upload's bytes: the URL's signature and expiry, then one claim of a `pending` row (a
   * second PUT is a 404, as is any wrong URL); the bytes stream to storage, at most the announced size. A failed PUT
   * removes what it stored and the upload with it.
   */
  async receive(
    ref: { channelId: string; id: string },
    sig: { ex?: string; hm?: string },
    stream: AsyncIterable<Buffer>,
  ): Promise<void> {
    const { db } = this.deps;
    if (!this.deps.attachmentUrls.verify(uploadPath(ref.channelId, ref.id), sig.ex, sig.hm)) throw gone();
    const [row] = await db
      .update(cloudUploads)
      .set({ state: 'receiving' })
      .where(
        and(
          eq(cloudUploads.channelId, ref.channelId),
          eq(cloudUploads.id, ref.id),
          eq(cloudUploads.state, 'pending'),
          gt(cloudUploads.expiresAt, new Date()),
        ),
      )
      .returning();
    if (!row) throw gone();
    const batch = new UploadBatch(this.deps, {
      channelId: row.channelId,
      uploaderId: row.uploaderId,
      limitBytes: row.declaredSize,
    });
    try {
      await batch.receive({ field: 'file', filename: row.filename, stream, id: row.id });
      const [file] = batch.files;
      const [kept] = await db
        .update(cloudUploads)
        .set({
          state: 'uploaded',
          contentType: file.contentType,
          size: file.size,
          width: file.width,
          height: file.height,
          previewKey: file.previewKey,
        })
        .where(and(eq(cloudUploads.channelId, row.channelId), eq(cloudUploads.id, row.id)))
        .returning({ id: cloudUploads.id });
      // Cancelled (DELETE /attachments/…) while its bytes arrived: they go too, and the PUT learns it is gone.
      if (!kept) throw gone();
    } catch (err) {
      await batch.discard();
      await db
        .delete(cloudUploads)
        .where(and(eq(cloudUploads.channelId, row.channelId), eq(cloudUploads.id, row.id)));
      throw err;
    }
  }

  /**
   * The attachment rows of a message's `attachments` entries that name uploads (`uploaded_filename`): finished
   * uploads of `uploaderId` to `channelId`, not expired. Anything else — another person's upload, another channel's,
   * one still arriving, a made-up name — is 50146, which tells the caller nothing about other people's files.
   */
  async staged(
    db: DbOrTx,
    at: { channelId: string; messageId: string; uploaderId: string },
    entries: MessageAttachmentInput[] | undefined,
  ): Promise<AttachmentRow[]> {
    const named = (entries ?? []).filter((e) => e.uploaded_filename !== undefined);
    if (!named.length) return [];
    const idsNamed = named.map((e) => uploadedId(e.uploaded_filename ?? ''));
    if (idsNamed.some((id) => id === null) || new Set(idsNamed).size !== idsNamed.length) throw notUploaded();
    const rows = await db
      .select()
      .from(cloudUploads)
      .where(
        and(
          eq(cloudUploads.channelId, at.channelId),
          eq(cloudUploads.uploaderId, at.uploaderId),
          eq(cloudUploads.state, 'uploaded'),
          gt(cloudUploads.expiresAt, new Date()),
          inArray(cloudUploads.id, idsNamed as string[]),
        ),
      );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return named.map((entry, i) => {
      const row = byId.get(idsNamed[i] as string);
      if (!row) throw notUploaded();
      return attachmentOf(row, at.messageId, entry);
    });
  }

  /**
   * Takes the uploads behind `rows` (from `staged`) in the message's transaction: each is used once, so a second
   * message naming the same upload (or the sweep) races for the row and the loser gets 50146, rolled back.
   */
  async consume(tx: DbOrTx, channelId: string, uploaderId: string, rows: AttachmentRow[]): Promise<void> {
    if (!rows.length) return;
    const taken = await tx
      .delete(cloudUploads)
      .where(
        and(
          eq(cloudUploads.channelId, channelId),
          eq(cloudUploads.uploaderId, uploaderId),
          eq(cloudUploads.state, 'uploaded'),
          inArray(
            cloudUploads.id,
            rows.map((r) => r.id),
          ),
        ),
      )
      .returning({ id: cloudUploads.id });
    if (taken.length !== rows.length) throw notUploaded();
  }

  /**
   * Discord's DELETE /attachments/:upload_filename: the caller's own upload, not yet sent, goes with its bytes —
   * whether it is still waiting for them, receiving them or finished. Someone else's upload, one a message already
   * took, and a made-up name are the same bare 404. The row is found by its id and uploader (the uploader index):
   * the name holds no channel, as Discord's does not.
   */
  async cancel(uploaderId: string, uploadFilename: string): Promise<void> {
    const id = uploadedId(uploadFilename);
    if (id === null) throw gone();
    const removed = await this.deps.db
      .delete(cloudUploads)
      .where(and(eq(cloudUploads.uploaderId, uploaderId), eq(cloudUploads.id, id)))
      .returning({ channelId: cloudUploads.channelId, id: cloudUploads.id });
    if (!removed.length) throw gone();
    await deleteAttachmentFiles(this.deps.storage, removed);
  }

  /** Deletes uploads past their hour, never used, files and all (the `messages.cloud-uploads-sweep` job). */
  async sweep(now = new Date()): Promise<number> {
    const gone = await this.deps.db.transaction(async (tx) => {
      const due = await tx
        .select({ channelId: cloudUploads.channelId, id: cloudUploads.id })
        .from(cloudUploads)
        .where(lt(cloudUploads.expiresAt, now))
        .limit(SWEEP_BATCH)
        .for('update', { skipLocked: true });
      if (!due.length) return [];
      return tx
        .delete(cloudUploads)
        .where(
          and(
            lt(cloudUploads.expiresAt, now),
            inArray(
              cloudUploads.id,
              due.map((d) => d.id),
            ),
          ),
        )
        .returning({ channelId: cloudUploads.channelId, id: cloudUploads.id });
    });
    await deleteAttachmentFiles(this.deps.storage, gone);
    return gone.length;
  }
}

/** A finished upload as the attachment row of message `messageId`, named and described by its entry. */
function attachmentOf(row: CloudUploadRow, messageId: string, entry: MessageAttachmentInput): AttachmentRow {
  return {
    channelId: row.channelId,
    messageId,
    id: row.id,
    filename: safeFilename(entry.filename ?? row.filename),
    description: entry.description?.slice(0, 1024) ?? null,
    contentType: row.contentType ?? 'application/octet-stream',
    size: row.size ?? 0,
    width: row.width,
    height: row.height,
    durationSecs: null,
    ephemeral: false,
    storageKey: `attachments/${row.channelId}/${row.id}/file`,
    previewKey: row.previewKey,
    uploaderId: row.uploaderId,
    flags: 0,
  };
}
