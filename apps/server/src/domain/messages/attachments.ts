import { createHmac, timingSafeEqual } from 'node:crypto';
import { Limits } from '@hearth/protocol';
import { isInlineSafe } from '../../media/sniff';
import type { MediaStorage } from '../../media/storage';
import type { attachments } from '../../store/schema';

export type AttachmentRow = typeof attachments.$inferSelect;

/** A file already in storage, waiting for its message to be written. */
export interface StagedFile {
  field: string;
  /** The name the client sent with the part (payload_json may rename it later). */
  filename: string;
  id: string;
  folder: string;
  storageKey: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  previewKey: string | null;
}

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

/** The name in an attachment's URL: its safe `filename`, shortened to URL_FILENAME_MAX with the extension kept. */
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
 * The names and descriptions a message's `attachments` gives its multipart files, by the n of `files[n]` (entries
 * naming a cloud upload describe that upload instead).
 */
export function descriptionsOf(
  entries: Array<{
    id: number | string;
    filename?: string;
    description?: string;
    uploaded_filename?: string;
  }> = [],
): Map<number, { filename?: string; description?: string }> {
  return new Map(
    entries
      .filter((a) => a.uploaded_filename === undefined)
      .map((a) => [Number(a.id), { filename: a.filename, description: a.description }]),
  );
}

/** The attachment rows of a message from its files, already stored, named and described by its payload_json. */
export function attachmentRows(
  files: StagedFile[],
  opts: {
    channelId: string;
    messageId: string;
    uploaderId: string;
    descriptions: Map<number, { filename?: string; description?: string }>;
  },
): AttachmentRow[] {
  return files.map((file, i) => {
    const index = Number(/\[(\d+)\]/.exec(file.field)?.[1] ?? i);
    const meta = opts.descriptions.get(index);
    const filename = safeFilename(meta?.filename ?? file.filename);
    return {
      channelId: opts.channelId,
      messageId: opts.messageId,
      id: file.id,
      filename,
      description: meta?.description?.slice(0, 1024) ?? null,
      contentType: file.contentType,
      size: file.size,
      width: file.width,
      height: file.height,
      durationSecs: null,
      ephemeral: false,
      storageKey: file.storageKey,
      previewKey: file.previewKey,
      uploaderId: opts.uploaderId,
      flags: 0,
    };
  });
}

/** Removes the stored files of deleted attachments (after the deletion committed). */
export async function deleteAttachmentFiles(
  storage: MediaStorage,
  rows: Array<{ channelId: string; id: string }>,
): Promise<void> {
  await Promise.all(
    rows.map((r) => storage.deletePrefix(`attachments/${r.channelId}/${r.id}`).catch(() => {})),
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

  /** `path` under the public URL, signed to expire in `ttlMs` (a day: the social side's media, ADR 0033). */
  signPath(path: string, now = Date.now(), ttlMs = URL_TTL_MS): string {
    const expires = Math.floor((now + ttlMs) / 1000).toString(16);
    return `${this.publicUrl}${path}?ex=${expires}&hm=${this.mac(path, expires)}`;
  }

  /**
   * Where the web app loads an embed's image from (its `proxy_url`): Hearth fetches it through the outbound guard,
   * so the page's CSP stays `img-src 'self'` and the image's host never sees the reader. Signed (not expiring: the
   * image's address is no secret) so the route proxies only what a message named, never any URL asked of it.
   */
  embedImage(url: string): string {
    return `${this.publicUrl}/embed-images?url=${encodeURIComponent(url)}&hm=${this.mac(`embed-image:${url}`, '')}`;
  }

  /** Whether `hm` is embedImage's signature of `url`. */
  verifyEmbedImage(url: string, hm: string | undefined): boolean {
    if (!hm || !/^[0-9a-f]{32}$/.test(hm)) return false;
    return timingSafeEqual(Buffer.from(this.mac(`embed-image:${url}`, '')), Buffer.from(hm));
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
