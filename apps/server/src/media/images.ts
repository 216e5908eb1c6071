import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { sniffContentType } from './sniff';

export type ImageErrorCode = 'invalid_data_uri' | 'unsupported_type' | 'too_large' | 'invalid_image';

export class ImageError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const ACCEPTED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
// Decompression bombs: refuse images with more pixels than this before decoding them.
const MAX_PIXELS = 50_000_000;

/** Decodes Discord's image data (`data:image/png;base64,...`); the sniffed type must be an accepted image. */
export function decodeDataUri(
  uri: string,
  opts: { maxBytes: number },
): { contentType: string; data: Buffer } {
  const m = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]*)$/i.exec(uri);
  if (!m) throw new ImageError('invalid_data_uri', 'not a base64 data URI');
  if (Math.floor((m[2].length * 3) / 4) > opts.maxBytes + 3)
    throw new ImageError('too_large', 'image too large');
  const data = Buffer.from(m[2], 'base64');
  if (data.length === 0) throw new ImageError('invalid_data_uri', 'empty image');
  if (data.length > opts.maxBytes) throw new ImageError('too_large', 'image too large');
  const sniffed = sniffContentType(data);
  if (!ACCEPTED.has(sniffed)) throw new ImageError('unsupported_type', `unsupported image type ${sniffed}`);
  const declared = m[1].toLowerCase().replace('image/jpg', 'image/jpeg');
  if (declared !== sniffed)
    throw new ImageError('unsupported_type', `declared ${declared} but the data is ${sniffed}`);
  return { contentType: sniffed, data };
}

export interface ProcessedImage {
  data: Buffer;
  contentType: string;
  ext: string;
  width: number;
  height: number;
  animated: boolean;
}

/**
 * Re-encodes an image to fit `width`×`height` (cropped to fill with `cover`, or inside it): static images
 * become PNG, animated ones stay animated as WebP. Metadata is stripped; the upload is never served as given.
 */
export async function processImage(
  data: Buffer,
  opts: { width: number; height: number; fit: 'cover' | 'inside' },
): Promise<ProcessedImage> {
  let animated = false;
  try {
    const meta = await sharp(data, { limitInputPixels: MAX_PIXELS }).metadata();
    animated = (meta.pages ?? 1) > 1;
    const pipeline = sharp(data, { animated, limitInputPixels: MAX_PIXELS })
      .rotate()
      .resize(opts.width, opts.height, { fit: opts.fit, withoutEnlargement: opts.fit === 'inside' });
    const { data: out, info } = animated
      ? await pipeline.webp({ quality: 85 }).toBuffer({ resolveWithObject: true })
      : await pipeline.png({ compressionLevel: 8 }).toBuffer({ resolveWithObject: true });
    return {
      data: out,
      contentType: animated ? 'image/webp' : 'image/png',
      ext: animated ? 'webp' : 'png',
      width: info.width,
      height: animated ? (info.pageHeight ?? info.height) : info.height,
      animated,
    };
  } catch (err) {
    throw new ImageError('invalid_image', `image could not be processed: ${(err as Error).message}`);
  }
}

/** Width, height and format of an image, or null when it is not one sharp can read. */
export async function imageInfo(
  data: Buffer,
): Promise<{ width: number; height: number; format: string } | null> {
  try {
    const meta = await sharp(data, { limitInputPixels: MAX_PIXELS }).metadata();
    if (!meta.width || !meta.height || !meta.format) return null;
    return { width: meta.width, height: meta.pageHeight ?? meta.height, format: meta.format };
  } catch {
    return null;
  }
}

/** A small WebP preview that fits in maxSize×maxSize (first frame of animations). */
export async function makePreview(
  data: Buffer,
  maxSize: number,
): Promise<{ data: Buffer; contentType: string; width: number; height: number }> {
  try {
    const { data: out, info } = await sharp(data, { limitInputPixels: MAX_PIXELS })
      .rotate()
      .resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    return { data: out, contentType: 'image/webp', width: info.width, height: info.height };
  } catch (err) {
    throw new ImageError('invalid_image', `image could not be processed: ${(err as Error).message}`);
  }
}

/** Discord-style image hash: 32 hex characters of the content's SHA-256. */
export function contentHash(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 32);
}
