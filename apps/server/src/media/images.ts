import { createHash } from 'node:crypto';
import { Limits } from '@hearth/protocol';
import { encode as encodeBlurhash } from 'blurhash';
import type sharpModule from 'sharp';
import { readImageHeader } from './image-header';
import { ImageLaneBusy, imageLane } from './image-lane';
import { sniffContentType } from './sniff';

export type ImageErrorCode =
  | 'invalid_data_uri'
  | 'unsupported_type'
  | 'too_large'
  | 'invalid_image'
  | 'too_many_pixels'
  | 'too_long'
  | 'busy';

export class ImageError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const ACCEPTED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/**
 * Output pixels of all frames of a re-encoded animation: encoding costs ~3–15 megapixels a second, so long
 * animations are stored smaller rather than refused (300 frames: about 160×160).
 */
const ANIMATION_OUTPUT_PIXELS = 8_000_000;
/** A backstop: libvips abandons a job still running after this, whatever the checks above let through. */
const JOB_TIMEOUT_SECONDS = 20;

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

/**
 * Why decoding an image of this canvas and frame count would cost too much, or null when it is within the budget
 * (Limits.imageMax*). `frames: 'first'` is for work that decodes only the first frame (previews).
 */
export function overBudget(
  image: { width: number; height: number; frames: number },
  opts: { frames: 'all' | 'first' },
): string | null {
  const framePixels = image.width * image.height;
  if (framePixels > Limits.imageMaxFramePixels)
    return `${image.width}×${image.height} is more than ${Limits.imageMaxFramePixels} pixels`;
  if (opts.frames === 'first') return null;
  if (image.frames > Limits.imageMaxFrames)
    return `${image.frames} frames are more than ${Limits.imageMaxFrames}`;
  if (framePixels * image.frames > Limits.imageMaxTotalPixels)
    return `${image.frames} frames of ${image.width}×${image.height} are more than ${Limits.imageMaxTotalPixels} pixels`;
  return null;
}

/** Refuses, from its header alone, an image whose decoding would be over the budget (before it waits in the lane). */
function checkHeader(data: Buffer, frames: 'all' | 'first'): void {
  const header = readImageHeader(data, { countFramesTo: frames === 'all' ? Limits.imageMaxFrames + 1 : 1 });
  const problem = header && overBudget(header, { frames });
  if (problem) throw new ImageError('too_many_pixels', problem);
}

type Sharp = typeof sharpModule;
let sharpLoading: Promise<Sharp> | null = null;

/**
 * sharp and libvips, loaded by the first image processed: a server that handles no image never holds them
 * (~25 MB resident; docs/performance.md, idle RSS).
 */
function loadSharp(): Promise<Sharp> {
  sharpLoading ??= import('sharp').then(
    (m) => m.default,
    (err) => {
      sharpLoading = null;
      throw err;
    },
  );
  return sharpLoading;
}

/** Runs sharp work in the image lane; a full lane is ImageError 'busy'. */
async function inLane<T>(job: (sharp: Sharp) => Promise<T>): Promise<T> {
  const sharp = await loadSharp();
  try {
    return await imageLane.run(() => job(sharp));
  } catch (err) {
    if (err instanceof ImageLaneBusy) throw new ImageError('busy', err.message);
    throw err;
  }
}

const asImageError = (err: unknown) =>
  err instanceof ImageError
    ? err
    : new ImageError('invalid_image', `image could not be processed: ${(err as Error).message}`);

export interface ProcessedImage {
  data: Buffer;
  contentType: string;
  ext: string;
  width: number;
  height: number;
  animated: boolean;
}

/**
 * The size to re-encode to: `cover` crops to the slot's aspect ratio, `inside` fits in it. Never larger than the
 * source (enlarging adds no detail and multiplied the work: 1×1 frames became 1024×1024), and an animation's frames
 * together stay within ANIMATION_OUTPUT_PIXELS.
 */
export function outputSize(
  source: { width: number; height: number; frames: number },
  slot: { width: number; height: number; fit: 'cover' | 'inside' },
): { width: number; height: number } {
  const scale =
    slot.fit === 'cover'
      ? Math.max(slot.width / source.width, slot.height / source.height)
      : Math.min(slot.width / source.width, slot.height / source.height);
  // cover: the slot's shape at no more than the source's resolution; inside: the source, scaled down to fit.
  let width = slot.fit === 'cover' ? slot.width / Math.max(scale, 1) : source.width * Math.min(scale, 1);
  let height = slot.fit === 'cover' ? slot.height / Math.max(scale, 1) : source.height * Math.min(scale, 1);
  const pixels = width * height * source.frames;
  if (source.frames > 1 && pixels > ANIMATION_OUTPUT_PIXELS) {
    const shrink = Math.sqrt(ANIMATION_OUTPUT_PIXELS / pixels);
    width *= shrink;
    height *= shrink;
  }
  return { width: Math.max(1, Math.floor(width)), height: Math.max(1, Math.floor(height)) };
}

/**
 * Re-encodes an image to fit `width`×`height` (cropped to fill with `cover`, or inside it): static images
 * become PNG, animated ones stay animated as WebP. Metadata is stripped; the upload is never served as given.
 * Over the pixel budget is ImageError 'too_many_pixels', checked before decoding; a full image lane is 'busy'.
 */
export async function processImage(
  data: Buffer,
  opts: { width: number; height: number; fit: 'cover' | 'inside'; maxDurationMs?: number },
): Promise<ProcessedImage> {
  try {
    checkHeader(data, 'all');
    return await inLane(async (sharp) => {
      // Header only: what the decoder itself will render, checked by the same rule (and for formats
      // readImageHeader does not know).
      const meta = await sharp(data, { limitInputPixels: Limits.imageMaxFramePixels }).metadata();
      const frames = meta.pages ?? 1;
      const oriented = meta.autoOrient ?? { width: meta.width, height: meta.height };
      const source = { width: oriented.width, height: meta.pageHeight ?? oriented.height, frames };
      const problem = overBudget(source, { frames: 'all' });
      if (problem) throw new ImageError('too_many_pixels', problem);
      const animated = frames > 1;
      const durationMs = (meta.delay ?? []).reduce((a, b) => a + b, 0);
      if (animated && opts.maxDurationMs !== undefined && durationMs > opts.maxDurationMs)
        throw new ImageError('too_long', `plays for ${durationMs} ms, more than ${opts.maxDurationMs} ms`);
      const size = outputSize(source, opts);
      // With `animated`, sharp's pixel limit counts every frame.
      const pipeline = sharp(data, {
        animated,
        limitInputPixels: animated ? Limits.imageMaxTotalPixels : Limits.imageMaxFramePixels,
      })
        .timeout({ seconds: JOB_TIMEOUT_SECONDS })
        .rotate()
        .resize(size.width, size.height, { fit: opts.fit });
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
    });
  } catch (err) {
    throw asImageError(err);
  }
}

/**
 * Width, height and format of an image, or null when it is not one sharp can read, its first frame is over the
 * pixel budget (it gets no preview), or the image lane is full. Read from the header when Hearth can.
 */
export async function imageInfo(
  data: Buffer,
): Promise<{ width: number; height: number; format: string } | null> {
  const header = readImageHeader(data, { countFramesTo: 1 });
  if (header) {
    if (overBudget(header, { frames: 'first' })) return null;
    return { width: header.width, height: header.height, format: header.format };
  }
  try {
    const meta = await inLane((sharp) =>
      sharp(data, { limitInputPixels: Limits.imageMaxFramePixels }).metadata(),
    );
    if (!meta.width || !meta.height || !meta.format) return null;
    return { width: meta.width, height: meta.pageHeight ?? meta.height, format: meta.format };
  } catch {
    return null;
  }
}

/** A small WebP preview that fits in maxSize×maxSize (first frame of animations), within the pixel budget. */
export async function makePreview(
  data: Buffer,
  maxSize: number,
): Promise<{ data: Buffer; contentType: string; width: number; height: number }> {
  try {
    checkHeader(data, 'first');
    return await inLane(async (sharp) => {
      const { data: out, info } = await sharp(data, { limitInputPixels: Limits.imageMaxFramePixels })
        .timeout({ seconds: JOB_TIMEOUT_SECONDS })
        .rotate()
        .resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true });
      return { data: out, contentType: 'image/webp', width: info.width, height: info.height };
    });
  } catch (err) {
    throw asImageError(err);
  }
}

/** Discord-style image hash: 32 hex characters of the content's SHA-256. */
export function contentHash(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 32);
}

/** An image posted on the social side: the original re-encoded, its `small` version and its blurhash. */
export interface PostedImage {
  original: { data: Buffer; contentType: string; ext: string; width: number; height: number };
  small: { data: Buffer; contentType: string; width: number; height: number };
  blurhash: string | null;
}

// A still original keeps its format (JPEG stays JPEG: photos would grow as PNG); a still GIF becomes PNG.
const STILL_FORMATS: Record<string, { ext: string; contentType: string }> = {
  'image/jpeg': { ext: 'jpg', contentType: 'image/jpeg' },
  'image/png': { ext: 'png', contentType: 'image/png' },
  'image/webp': { ext: 'webp', contentType: 'image/webp' },
  'image/gif': { ext: 'png', contentType: 'image/png' },
};

/**
 * Processes an image posted with a status (ADR 0033): within the pixel budget (checked from the header first), in
 * the image lane, re-encoded so that no metadata (camera, location) is served, turned upright, never enlarged,
 * fitted in `side`×`side`; animations stay animated (WebP). A `small` WebP fits in `previewSide`, and a blurhash is
 * computed from it. Not an accepted image is ImageError 'unsupported_type'; a full lane is 'busy'.
 */
export async function processPostedImage(
  data: Buffer,
  opts: { side: number; previewSide: number },
): Promise<PostedImage> {
  const sniffed = sniffContentType(data);
  if (!ACCEPTED.has(sniffed)) throw new ImageError('unsupported_type', `unsupported image type ${sniffed}`);
  const header = readImageHeader(data, { countFramesTo: 2 });
  let original: PostedImage['original'];
  if (header && header.frames > 1) {
    const image = await processImage(data, { width: opts.side, height: opts.side, fit: 'inside' });
    original = image;
  } else {
    try {
      checkHeader(data, 'first');
      original = await inLane(async (sharp) => {
        const meta = await sharp(data, { limitInputPixels: Limits.imageMaxFramePixels }).metadata();
        const oriented = meta.autoOrient ?? { width: meta.width, height: meta.height };
        const problem = overBudget(
          { width: oriented.width, height: oriented.height, frames: 1 },
          { frames: 'first' },
        );
        if (problem) throw new ImageError('too_many_pixels', problem);
        const format = STILL_FORMATS[sniffed];
        const pipeline = sharp(data, { limitInputPixels: Limits.imageMaxFramePixels })
          .timeout({ seconds: JOB_TIMEOUT_SECONDS })
          .rotate()
          .resize(opts.side, opts.side, { fit: 'inside', withoutEnlargement: true });
        const encoded =
          format.contentType === 'image/jpeg'
            ? pipeline.jpeg({ quality: 90 })
            : format.contentType === 'image/webp'
              ? pipeline.webp({ quality: 90 })
              : pipeline.png({ compressionLevel: 8 });
        const { data: out, info } = await encoded.toBuffer({ resolveWithObject: true });
        return { data: out, ...format, width: info.width, height: info.height };
      });
    } catch (err) {
      throw asImageError(err);
    }
  }
  const small = await makePreview(original.data, opts.previewSide);
  const blurhash = await blurhashOf(small.data).catch(() => null);
  return { original, small, blurhash };
}

/** The blurhash (4×3 components) of a small image, computed from a 32-pixel thumbnail of it. */
async function blurhashOf(data: Buffer): Promise<string> {
  return inLane(async (sharp) => {
    const { data: pixels, info } = await sharp(data)
      .resize(32, 32, { fit: 'inside' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return encodeBlurhash(new Uint8ClampedArray(pixels), info.width, info.height, 4, 3);
  });
}

/** A PNG of one colour (default avatars and headers): made once and kept by the caller. */
export async function plainImage(
  width: number,
  height: number,
  rgb: [number, number, number],
): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}
