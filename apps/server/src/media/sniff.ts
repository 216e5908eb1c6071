// Content types from magic bytes: the server never trusts the type a client declares.

const startsWith = (b: Buffer, bytes: number[], offset = 0) => bytes.every((x, i) => b[offset + i] === x);
const ascii = (b: Buffer, start: number, end: number) => b.subarray(start, end).toString('latin1');

/** The real type of a file from its first bytes; text/plain for NUL-free UTF-8, else application/octet-stream. */
export function sniffContentType(bytes: Buffer): string {
  const b = bytes;
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'image/webp';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WAVE') return 'audio/wav';
  if (ascii(b, 0, 2) === 'BM' && b.length > 14) return 'image/bmp';
  if (ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'image/heic';
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand.startsWith('M4A')) return 'audio/mp4';
    return 'video/mp4';
  }
  if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3]))
    return b.subarray(0, 64).includes('webm') ? 'video/webm' : 'video/x-matroska';
  if (ascii(b, 0, 4) === 'OggS') return 'audio/ogg';
  if (ascii(b, 0, 4) === 'fLaC') return 'audio/flac';
  if (ascii(b, 0, 3) === 'ID3' || (b[0] === 0xff && b.length > 1 && (b[1] & 0xe0) === 0xe0))
    return 'audio/mpeg';
  if (ascii(b, 0, 5) === '%PDF-') return 'application/pdf';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06]))
    return 'application/zip';
  if (startsWith(b, [0x1f, 0x8b])) return 'application/gzip';
  if (isText(b.subarray(0, 8192))) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

function isText(b: Buffer): boolean {
  if (b.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    // The sample may end inside a multi-byte character: retry without the last 3 bytes.
    if (b.length < 4) return false;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, b.length - 3));
      return true;
    } catch {
      return false;
    }
  }
}

/** Whether a type may be shown inline by browsers; SVG never is (it can carry scripts). */
export function isInlineSafe(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'image/svg+xml') return false;
  return type.startsWith('image/') || type.startsWith('audio/') || type.startsWith('video/');
}
