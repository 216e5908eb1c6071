import { and, asc, inArray, isNotNull, isNull, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../store/db';
import { mediaAttachments, posts } from '../../store/schema';
import type { SocialUrls } from './mastodon.wire';

// Mastodon's MediaAttachment entity (docs.joinmastodon.org/entities/MediaAttachment), every field present.

export type MediaRow = typeof mediaAttachments.$inferSelect;

/** File extensions of the types Hearth stores for statuses. */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'audio/flac': 'flac',
  'audio/mp4': 'm4a',
};

export type MediaVariant = 'original' | 'small';

/** The last segment of a media file's URL: `original.<ext>` or `small.webp`. */
export function mediaFileName(row: Pick<MediaRow, 'contentType'>, variant: MediaVariant): string {
  return variant === 'small' ? 'small.webp' : `original.${EXTENSIONS[row.contentType] ?? 'bin'}`;
}

/** Where a media file is served (signed or not, see toMediaAttachment). */
export function mediaPath(
  row: Pick<MediaRow, 'userId' | 'id' | 'contentType'>,
  variant: MediaVariant,
): string {
  return `/media_attachments/${row.userId}/${row.id}/${mediaFileName(row, variant)}`;
}

const dimensions = (width: number | null, height: number | null) =>
  width && height ? { width, height, size: `${width}x${height}`, aspect: width / height } : undefined;

/**
 * The MediaAttachment of a row. `open`: everyone may see it (on a public or unlisted status), so its URLs are plain
 * and stable; otherwise (followers-only, direct, not posted yet) they are signed and expire within a day, as the
 * chat side's attachments (ADR 0004).
 */
export function toMediaAttachment(row: MediaRow, urls: SocialUrls, opts: { open: boolean }) {
  const link = (variant: MediaVariant) => {
    const path = mediaPath(row, variant);
    return opts.open ? `${urls.base}${path}` : urls.signer.signPath(path);
  };
  const original = dimensions(row.width, row.height);
  const small = dimensions(row.previewWidth, row.previewHeight);
  // A remote status's attachment (ADR 0052) is served here while its file is stored; until it is fetched, when it
  // could not be, or after the sweep removed it, `url` is its remote URL (Mastodon's `unknown` ones do the same).
  const stored = row.remoteUrl === null || row.cachedAt !== null;
  return {
    id: row.id,
    type: row.type,
    url: stored ? link('original') : (row.remoteUrl as string),
    preview_url: stored && row.previewKey ? link('small') : null,
    remote_url: row.remoteUrl,
    preview_remote_url: null,
    text_url: null,
    meta: {
      ...(original ? { original } : {}),
      ...(small ? { small } : {}),
      ...(row.type === 'image' ? { focus: { x: row.focusX, y: row.focusY } } : {}),
    },
    description: row.description,
    blurhash: row.blurhash,
  };
}

/** The current attachments of statuses (by their authors and ids), in order, keyed by status id. */
export async function loadStatusMedia(
  db: DbOrTx,
  authorIds: string[],
  statusIds: string[],
): Promise<Map<string, MediaRow[]>> {
  const out = new Map<string, MediaRow[]>();
  if (statusIds.length === 0) return out;
  const rows = await db
    .select()
    .from(mediaAttachments)
    .where(
      and(
        inArray(mediaAttachments.userId, authorIds),
        inArray(mediaAttachments.statusId, statusIds),
        isNotNull(mediaAttachments.position),
        isNull(mediaAttachments.trashedAt),
      ),
    )
    .orderBy(asc(mediaAttachments.position));
  for (const row of rows) {
    const list = out.get(row.statusId as string) ?? [];
    list.push(row);
    out.set(row.statusId as string, list);
  }
  return out;
}

/** Whether everyone may see a status of this visibility (its media URLs are then unsigned). */
export const openVisibility = (visibility: string) => visibility === 'public' || visibility === 'unlisted';

/** Whether the row of `posts` in scope has media attachments now (`only_media`). */
export function statusHasMedia(): SQL {
  return sql`exists (select 1 from ${mediaAttachments} where ${mediaAttachments.userId} = ${posts.userId} and ${mediaAttachments.statusId} = ${posts.id} and ${mediaAttachments.position} is not null and ${mediaAttachments.trashedAt} is null)`;
}
