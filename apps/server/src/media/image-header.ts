// What an image will cost to decode, read from its header without decoding it: the canvas every frame is rendered
// on and the number of frames. Pure byte parsing (no sharp), so a decompression bomb is refused before it reaches
// the decoder or the image lane.

export interface ImageHeader {
  format: 'png' | 'gif' | 'webp' | 'jpeg';
  /** The canvas frames are rendered on: never smaller than any frame's extent. */
  width: number;
  height: number;
  /** Frames the file declares (1 for still images). */
  frames: number;
}

/**
 * Blocks or chunks walked at most (a few milliseconds): this runs on the event loop, and a crafted 100 MB file of
 * 1-byte GIF sub-blocks took 370 ms to walk. Beyond it the header counts as unreadable and sharp, in the image
 * lane, reads it instead.
 */
const MAX_STEPS = 1_000_000;

/**
 * The header of a PNG (APNG), GIF, WebP or JPEG; null for other formats and for headers that cannot be read.
 * Counting stops at `countFramesTo` (then `frames` is at least that): 1 when only the first frame will be decoded.
 */
export function readImageHeader(data: Buffer, opts: { countFramesTo?: number } = {}): ImageHeader | null {
  const countTo = opts.countFramesTo ?? Number.POSITIVE_INFINITY;
  try {
    if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47 && data.readUInt32BE(4) === 0x0d0a1a0a)
      return readPng(data);
    const magic = data.subarray(0, 6).toString('latin1');
    if (magic === 'GIF87a' || magic === 'GIF89a') return readGif(data, countTo);
    if (
      data.subarray(0, 4).toString('latin1') === 'RIFF' &&
      data.subarray(8, 12).toString('latin1') === 'WEBP'
    )
      return readWebp(data, countTo);
    if (data[0] === 0xff && data[1] === 0xd8) return readJpeg(data);
    return null;
  } catch {
    // A read past the end (RangeError): the header is truncated.
    return null;
  }
}

const valid = (h: ImageHeader): ImageHeader | null =>
  h.width > 0 && h.height > 0 && h.frames > 0 ? h : null;

/** IHDR gives the size; an APNG's acTL (before the first IDAT) gives its frame count. */
function readPng(b: Buffer): ImageHeader | null {
  if (b.toString('latin1', 12, 16) !== 'IHDR') return null;
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  let frames = 1;
  for (let at = 8, steps = 0; at + 8 <= b.length; steps++) {
    if (steps > MAX_STEPS) return null;
    const length = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'acTL') frames = b.readUInt32BE(at + 8);
    at += 12 + length;
  }
  return valid({ format: 'png', width, height, frames });
}

/**
 * Walks the blocks: the logical screen, then the image descriptors. Decoders differ in which canvas they render
 * on (libnsgif ignores an implausible screen and grows to the first frame), so the canvas counted is the largest of
 * the screen and the extents of the frames counted. A truncated file counts the frames seen so far, as decoders do.
 */
function readGif(b: Buffer, countTo: number): ImageHeader | null {
  let width = b.readUInt16LE(6);
  let height = b.readUInt16LE(8);
  const packed = b[10];
  let at = 13 + (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0);
  let frames = 0;
  let steps = 0;
  const skipSubBlocks = () => {
    while (at < b.length && b[at] !== 0 && steps++ <= MAX_STEPS) at += b[at] + 1;
    at += 1;
  };
  while (at < b.length && frames < countTo) {
    if (steps++ > MAX_STEPS) return null;
    const block = b[at];
    if (block === 0x3b) break;
    if (block === 0x21) {
      at += 2;
      skipSubBlocks();
    } else if (block === 0x2c) {
      if (at + 10 > b.length) break;
      const x = b.readUInt16LE(at + 1);
      const y = b.readUInt16LE(at + 3);
      width = Math.max(width, x + b.readUInt16LE(at + 5));
      height = Math.max(height, y + b.readUInt16LE(at + 7));
      frames++;
      if (frames >= countTo) break; // its pixel data is not needed
      const local = b[at + 9];
      at += 10 + (local & 0x80 ? 3 * 2 ** ((local & 7) + 1) : 0) + 1;
      skipSubBlocks();
    } else break;
  }
  return valid({ format: 'gif', width, height, frames });
}

/** VP8X gives the canvas and flags an animation, whose frames are ANMF chunks; simple files are one VP8/VP8L. */
function readWebp(b: Buffer, countTo: number): ImageHeader | null {
  const first = b.toString('latin1', 12, 16);
  if (first === 'VP8 ') {
    // Frame tag (3 bytes), start code (3), then 14-bit width and height.
    return valid({
      format: 'webp',
      width: b.readUInt16LE(26) & 0x3fff,
      height: b.readUInt16LE(28) & 0x3fff,
      frames: 1,
    });
  }
  if (first === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return valid({
      format: 'webp',
      width: (bits & 0x3fff) + 1,
      height: ((bits >>> 14) & 0x3fff) + 1,
      frames: 1,
    });
  }
  if (first !== 'VP8X') return null;
  const width = b.readUIntLE(24, 3) + 1;
  const height = b.readUIntLE(27, 3) + 1;
  const animated = (b[20] & 0x02) !== 0;
  let frames = 0;
  for (let at = 12, steps = 0; at + 8 <= b.length && frames < countTo; steps++) {
    if (steps > MAX_STEPS) return null;
    const type = b.toString('latin1', at, at + 4);
    const length = b.readUInt32LE(at + 4);
    if (type === 'ANMF') frames++;
    at += 8 + length + (length & 1);
  }
  return valid({ format: 'webp', width, height, frames: animated ? frames : 1 });
}

/** The size from the first start-of-frame marker (SOF0–SOF15 but DHT, JPG and DAC). */
function readJpeg(b: Buffer): ImageHeader | null {
  for (let at = 2, steps = 0; at + 4 <= b.length; steps++) {
    if (b[at] !== 0xff || steps > MAX_STEPS) return null;
    const marker = b[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return valid({
        format: 'jpeg',
        height: b.readUInt16BE(at + 5),
        width: b.readUInt16BE(at + 7),
        frames: 1,
      });
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan data before any frame header
    at += 2 + b.readUInt16BE(at + 2);
  }
  return null;
}
