import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode, Limits } from '@hearth/protocol';
import { imageInfo, makePreview } from '../../media/images';
import { isInlineSafe, sniffContentType } from '../../media/sniff';
import type { attachments } from '../../store/schema';
import type { Deps } from '../deps';
import { ApiError } from '../errors';

export interface UploadedFile {
  /** The form field, e.g. `files[0]`. */
  field: string;
  filename: string;
  data: Buffer;
}

export type AttachmentRow = typeof attachments.$inferSelect;

const URL_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The name an attachment keeps (its `filename`): the last path segment, characters other than letters, digits, `.`,
 * `_` and `-` replaced by `_` (as Discord does), at most Limits.filenameMax long with its extension kept.
 */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return shortenKeepingExtension(cleaned || 'file', Limits.filenameMax);
}

/** How long the name in an attachment's URL may be: URLs stay short, whatever the file is called. */
const URL_FILENAME_MAX = 64;

/**
 * The name in an attachment's URL and storage key: its safe `filename`, shortened to URL_FILENAME_MAX with the
 * extension kept (a 255-character name with a temporary suffix is past a file system's name limit).
 */
export function urlFilename(filename: string): string {
  return shortenKeepingExtension(filename, URL_FILENAME_MAX);
}

/** Cuts the stem, not the extension (the last `.` and up to 16 characters after it), to fit `max` characters. */
function shortenKeepingExtension(name: string, max: number): string {
  if (name.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 17 ? name.slice(dot) : '';
  return name.slice(0, max - extension.length) + extension;
}

/**
 * Stores uploaded files for a message that is about to be written: sniffs the real type, measures images and
 * makes their previews. Returns the rows to insert and a cleanup that removes the files if the message is not saved.
 */
export async function storeAttachments(
  deps: Deps,
  opts: {
    channelId: string;
    messageId: string;
    uploaderId: string;
    uploadLimit: number;
    files: UploadedFile[];
    descriptions: Map<number, { filename?: string; description?: string }>;
  },
): Promise<{ rows: AttachmentRow[]; cleanup: () => Promise<void> }> {
  const written: string[] = [];
  const cleanup = async () => {
    await Promise.all(written.map((prefix) => deps.storage.deletePrefix(prefix).catch(() => {})));
  };
  try {
    const rows: AttachmentRow[] = [];
    for (const [i, file] of opts.files.entries()) {
      if (file.data.length > opts.uploadLimit)
        throw new ApiError(
          413,
          ErrorCode.RequestTooLarge,
          `Request entity too large: each file may be at most ${opts.uploadLimit} bytes`,
        );
      const index = Number(/\[(\d+)\]/.exec(file.field)?.[1] ?? i);
      const meta = opts.descriptions.get(index);
      const filename = safeFilename(meta?.filename ?? file.filename);
      const id = deps.ids.next();
      const folder = `attachments/${opts.channelId}/${id}`;
      const contentType = sniffContentType(file.data);
      const storageKey = `${folder}/${urlFilename(filename)}`;
      written.push(folder);
      await deps.storage.put(storageKey, file.data, contentType);
      let width: number | null = null;
      let height: number | null = null;
      let previewKey: string | null = null;
      if (contentType.startsWith('image/')) {
        const info = await imageInfo(file.data);
        if (info) {
          width = info.width;
          height = info.height;
          const preview = await makePreview(file.data, Limits.previewSize).catch(() => null);
          if (preview) {
            previewKey = `${folder}/preview.webp`;
            await deps.storage.put(previewKey, preview.data, preview.contentType);
          }
        }
      }
      rows.push({
        channelId: opts.channelId,
        messageId: opts.messageId,
        id,
        filename,
        description: meta?.description?.slice(0, 1024) ?? null,
        contentType,
        size: file.data.length,
        width,
        height,
        durationSecs: null,
        ephemeral: false,
        storageKey,
        previewKey,
        uploaderId: opts.uploaderId,
        flags: 0,
      });
    }
    return { rows, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Removes the stored files of deleted attachments (after the deletion committed). */
export async function deleteAttachmentFiles(
  deps: Deps,
  rows: Array<{ channelId: string; id: string }>,
): Promise<void> {
  await Promise.all(
    rows.map((r) => deps.storage.deletePrefix(`attachments/${r.channelId}/${r.id}`).catch(() => {})),
  );
}

/**
 * Attachment URLs carry an expiry and an HMAC (as Discord's signed CDN links do): only someone who was given the
 * message can fetch its files, and a leaked link dies within a day.
 */
export class AttachmentUrls {
  constructor(
    private readonly secret: string,
    private readonly publicUrl: string,
  ) {}

  private mac(path: string, expires: string): string {
    return createHmac('sha256', this.secret).update(`${path}|${expires}`).digest('hex').slice(0, 32);
  }

  /** The file's URL, and as `proxy_url` its image preview's (or the file's again when it has none). */
  sign(
    row: Pick<AttachmentRow, 'channelId' | 'id' | 'filename' | 'previewKey'>,
    now = Date.now(),
  ): { url: string; proxy_url: string } {
    const expires = Math.floor((now + URL_TTL_MS) / 1000).toString(16);
    const signed = (path: string) => `${this.publicUrl}${path}?ex=${expires}&hm=${this.mac(path, expires)}`;
    const url = signed(attachmentPath(row, { preview: false }));
    return { url, proxy_url: row.previewKey ? signed(attachmentPath(row, { preview: true })) : url };
  }

  /** Whether a request for `path` carries a valid, unexpired signature. */
  verify(path: string, ex: string | undefined, hm: string | undefined, now = Date.now()): boolean {
    if (!ex || !hm || !/^[0-9a-f]{1,12}$/.test(ex) || !/^[0-9a-f]{32}$/.test(hm)) return false;
    if (Number.parseInt(ex, 16) * 1000 < now) return false;
    return timingSafeEqual(Buffer.from(this.mac(path, ex)), Buffer.from(hm));
  }
}

/** Where an attachment (or its preview) is served: the URL names the file by its urlFilename. */
export function attachmentPath(
  row: Pick<AttachmentRow, 'channelId' | 'id' | 'filename'>,
  opts: { preview: boolean },
): string {
  return `/attachments/${row.channelId}/${row.id}/${opts.preview ? 'preview/' : ''}${urlFilename(row.filename)}`;
}

/** The attachment object of a message. */
export function toAttachmentWire(row: AttachmentRow, urls: AttachmentUrls) {
  return {
    id: row.id,
    filename: row.filename,
    ...(row.description ? { description: row.description } : {}),
    content_type: row.contentType,
    size: row.size,
    ...urls.sign(row),
    ...(row.width !== null ? { width: row.width, height: row.height } : {}),
    ephemeral: row.ephemeral,
    flags: row.flags,
  };
}

/** Content-Disposition for serving: inline only for images, audio and video (never SVG). */
export function dispositionFor(contentType: string, filename: string): string {
  return `${isInlineSafe(contentType) ? 'inline' : 'attachment'}; filename="${filename}"`;
}
