// Small files that are expensive to decode, written byte by byte (tests only).
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

const u16le = (n: number) => [n & 255, (n >> 8) & 255];
const u24le = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255];

/**
 * A GIF with a `width`×`height` logical screen and `frames` 1×1 frames (~23 bytes each). With `cornerFirst` the
 * first frame sits in the far corner, so every decoder renders each frame on the whole screen; without it, libnsgif
 * renders on a 1×1 canvas (it distrusts screens over 2048) but each frame was still enlarged to the avatar size.
 */
export function bombGif(opts: {
  width: number;
  height: number;
  frames: number;
  cornerFirst?: boolean;
}): Buffer {
  const parts: number[] = [...Buffer.from('GIF89a', 'latin1')];
  // Logical screen with a 2-colour global table (black, white).
  parts.push(...u16le(opts.width), ...u16le(opts.height), 0x80, 0, 0, 0, 0, 0, 255, 255, 255);
  for (let i = 0; i < opts.frames; i++) {
    const corner = opts.cornerFirst && i === 0;
    // Graphic control extension (10 ms), image descriptor, LZW: clear, index 0, end (min code size 2).
    parts.push(0x21, 0xf9, 4, 0, 1, 0, 0, 0);
    parts.push(0x2c, ...u16le(corner ? opts.width - 1 : 0), ...u16le(corner ? opts.height - 1 : 0));
    parts.push(...u16le(1), ...u16le(1), 0, 2, 2, 0x44, 0x01, 0);
  }
  parts.push(0x3b);
  return Buffer.from(parts);
}

const riffChunk = (type: string, data: Buffer) =>
  Buffer.concat([
    Buffer.from(type, 'latin1'),
    Buffer.from(new Uint32Array([data.length]).buffer),
    data,
    Buffer.alloc(data.length & 1),
  ]);

/** An animated WebP: a `width`×`height` canvas and `frames` 1×1 lossless frames in its corner. */
export async function bombWebp(opts: { width: number; height: number; frames: number }): Promise<Buffer> {
  const one = await sharp({ create: { width: 1, height: 1, channels: 4, background: '#000' } })
    .webp({ lossless: true })
    .toBuffer();
  const vp8l = one.subarray(12); // the file's only chunk
  const vp8x = Buffer.from([0x12, 0, 0, 0, ...u24le(opts.width - 1), ...u24le(opts.height - 1)]); // alpha, animation
  const anim = Buffer.from([0, 0, 0, 0, 0, 0]);
  const frame = riffChunk(
    'ANMF',
    Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0]), vp8l]),
  );
  const body = Buffer.concat([
    Buffer.from('WEBP', 'latin1'),
    riffChunk('VP8X', vp8x),
    riffChunk('ANIM', anim),
    ...Array.from({ length: opts.frames }, () => frame),
  ]);
  return Buffer.concat([
    Buffer.from('RIFF', 'latin1'),
    Buffer.from(new Uint32Array([body.length]).buffer),
    body,
  ]);
}

/** A real PNG of `width`×`height` with an APNG acTL chunk declaring `frames` (decoders without APNG ignore it). */
export async function pngDeclaringFrames(opts: {
  width: number;
  height: number;
  frames: number;
}): Promise<Buffer> {
  const png = await sharp({
    create: { width: opts.width, height: opts.height, channels: 3, background: '#123' },
  })
    .png()
    .toBuffer();
  const ihdrEnd = 8 + 12 + 13;
  const data = Buffer.alloc(8);
  data.writeUInt32BE(opts.frames, 0);
  data.writeUInt32BE(0, 4);
  const typed = Buffer.concat([Buffer.from('acTL', 'latin1'), data]);
  const chunk = Buffer.alloc(12 + 8);
  chunk.writeUInt32BE(8, 0);
  typed.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typed), 16);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

/** Just the signature and IHDR of a PNG claiming `width`×`height` (what a header check must judge alone). */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const b = Buffer.alloc(8 + 25);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.set([8, 6, 0, 0, 0], 24);
  b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
  return b;
}

/** A data URI as Discord's image fields take it. */
export const dataUri = (type: string, data: Buffer) => `data:${type};base64,${data.toString('base64')}`;
