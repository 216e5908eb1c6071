import { ErrorCode, Limits } from '@hearth/protocol';
import { and, eq, like } from 'drizzle-orm';
import { contentHash, decodeDataUri, ImageError, processImage } from '../media/images';
import { mediaFiles } from '../store/schema';
import type { Deps } from './deps';
import { ApiError, invalidField } from './errors';

export interface ImageSlot {
  /** What the image is for: 'avatar', 'banner', 'guild_icon', 'member_avatar', … */
  purpose: string;
  /** The folder of its stable URL, e.g. `avatars/<user_id>`: files are `<folder>/<hash>.<ext>`. */
  folder: string;
  ownerId: string;
  width: number;
  height: number;
  /** The request field, for the error. */
  field: string;
  /** Stored as `<folder>/<name>.<ext>` instead of by content hash (emojis: `emojis/<id>.png`). */
  fixedName?: string;
  /** Decoded size limit (default Limits.imageUploadBytes). */
  maxBytes?: number;
  /** `cover` (default) crops to the slot; `inside` fits in it. */
  fit?: 'cover' | 'inside';
  /** An animation playing longer than this is refused. */
  maxDurationMs?: number;
}

/**
 * Decodes an uploaded data URI, re-encodes it (never stored as uploaded) and stores it; returns the Discord-style
 * hash (`a_` prefixed when animated), or null when the upload clears the image.
 */
export async function storeImage(
  deps: Deps,
  slot: ImageSlot,
  dataUri: string | null,
): Promise<string | null> {
  if (dataUri === null) return null;
  let data: Buffer;
  try {
    data = decodeDataUri(dataUri, { maxBytes: slot.maxBytes ?? Limits.imageUploadBytes }).data;
  } catch (err) {
    throw asFieldError(slot, err);
  }
  return storeImageBytes(deps, slot, data);
}

/** storeImage for an image already in memory (a file part): re-encoded, stored, its hash returned. */
export async function storeImageBytes(deps: Deps, slot: ImageSlot, data: Buffer): Promise<string> {
  try {
    const image = await processImage(data, {
      width: slot.width,
      height: slot.height,
      fit: slot.fit ?? 'cover',
      maxDurationMs: slot.maxDurationMs,
    });
    const hash = (image.animated ? 'a_' : '') + contentHash(image.data);
    const storageKey = `${slot.folder}/${slot.fixedName ?? hash}.${image.ext}`;
    await deps.storage.put(storageKey, image.data, image.contentType);
    await deps.db
      .insert(mediaFiles)
      .values({
        storageKey,
        ownerId: slot.ownerId,
        purpose: slot.purpose,
        contentType: image.contentType,
        size: image.data.length,
        width: image.width,
        height: image.height,
      })
      .onConflictDoNothing();
    return hash;
  } catch (err) {
    throw asFieldError(slot, err);
  }
}

function asFieldError(slot: ImageSlot, err: unknown): unknown {
  if (err instanceof ImageError && err.code === 'busy') return imageWorkBusy();
  if (err instanceof ImageError) return invalidField([slot.field], 'IMAGE_INVALID', imageErrorMessage(err));
  return err;
}

/** The stored file for `<folder>/<hash>.<any ext>`, or null. */
async function findImage(deps: Deps, purpose: string, folder: string, hash: string) {
  if (!/^(a_)?[0-9a-f]{32}$/.test(hash)) return null;
  const [file] = await deps.db
    .select({ storageKey: mediaFiles.storageKey })
    .from(mediaFiles)
    .where(and(eq(mediaFiles.purpose, purpose), like(mediaFiles.storageKey, `${folder}/${hash}.%`)));
  return file ? deps.storage.get(file.storageKey) : null;
}

export function imageErrorMessage(err: ImageError): string {
  switch (err.code) {
    case 'too_large':
      return 'Image is too large.';
    case 'unsupported_type':
      return 'Image must be PNG, JPEG, GIF or WebP.';
    case 'too_long':
      return `Animation is too long (${err.message}).`;
    case 'too_many_pixels':
      return `Image has too many pixels to process (${err.message}): at most ${Limits.imageMaxFramePixels} pixels a frame, ${Limits.imageMaxFrames} frames and ${Limits.imageMaxTotalPixels} pixels in all frames.`;
    default:
      return 'Image could not be read.';
  }
}

/** 503: the image lane is full (ImageLaneBusy); nothing was stored, the same request may be sent again shortly. */
export function imageWorkBusy(): ApiError {
  return new ApiError(
    503,
    ErrorCode.General,
    'Image processing is busy: try again in a few seconds',
    undefined,
    { 'retry-after': '5' },
    { retry_after: 5 },
  );
}

/** The file stored as `<folder>/<id>.<any ext>` (emojis, stickers: named by their id), or null. */
export async function findById(deps: Deps, purpose: string, folder: string, id: string) {
  const [file] = await deps.db
    .select({ key: mediaFiles.storageKey })
    .from(mediaFiles)
    .where(and(eq(mediaFiles.purpose, purpose), like(mediaFiles.storageKey, `${folder}/${id}.%`)));
  return file ? deps.storage.get(file.key) : null;
}

/** Finds images behind their stable URLs. */
export class ImagesService {
  constructor(private readonly deps: Deps) {}

  find(purpose: string, folder: string, hash: string) {
    return findImage(this.deps, purpose, folder, hash);
  }
}
