import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import {
  contentHash,
  decodeDataUri,
  ImageError,
  imageInfo,
  makePreview,
  processImage,
} from '../../src/media/images';
import { createLocalStorage } from '../../src/media/local-storage';
import { isInlineSafe, sniffContentType } from '../../src/media/sniff';
import { readAll } from '../../src/media/storage';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const png = (w = 32, h = 16) =>
  sharp({ create: { width: w, height: h, channels: 4, background: '#ff0000' } })
    .png()
    .toBuffer();

describe('storage', () => {
  test('put, get, delete and deletePrefix; no temp files left', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hearth-media-'));
    dirs.push(root);
    const s = createLocalStorage(root);
    await s.put('avatars/1/abc.png', Buffer.from('one'), 'image/png');
    await s.put('attachments/9/8/a.txt', Buffer.from('two'), 'text/plain');
    const got = await s.get('avatars/1/abc.png');
    assert.equal(got?.contentType, 'image/png');
    assert.equal(got?.size, 3);
    assert.deepEqual(await readAll(got!), Buffer.from('one'));
    assert.equal(await s.get('avatars/1/missing.png'), null);
    assert.ok(!readdirSync(join(root, 'avatars', '1')).some((f) => f.endsWith('.tmp')));
    await s.delete('avatars/1/abc.png');
    assert.equal(await s.get('avatars/1/abc.png'), null);
    await s.delete('avatars/1/abc.png');
    await s.deletePrefix('attachments/9');
    assert.equal(await s.get('attachments/9/8/a.txt'), null);
  });

  test('keys cannot escape the root', async () => {
    const s = createLocalStorage(mkdtempSync(join(tmpdir(), 'hearth-media-')));
    for (const key of ['../x', 'a/../../b', '/etc/passwd', 'a//b', 'a\\b', 'a/b c', '']) {
      await assert.rejects(s.put(key, Buffer.from('x'), 'text/plain'), /invalid media key/, key);
    }
  });
});

describe('sniffing', () => {
  const cases: Array<[string, Buffer]> = [
    ['image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])],
    ['image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])],
    ['image/gif', Buffer.from('GIF89a....')],
    ['image/webp', Buffer.from('RIFF\0\0\0\0WEBPVP8 ')],
    ['audio/wav', Buffer.from('RIFF\0\0\0\0WAVEfmt ')],
    ['image/avif', Buffer.from('\0\0\0\x1cftypavif\0\0\0\0')],
    ['video/mp4', Buffer.from('\0\0\0\x18ftypisom\0\0\0\0')],
    ['video/quicktime', Buffer.from('\0\0\0\x14ftypqt  \0\0\0\0')],
    ['video/webm', Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.from('\x42\x82\x84webm')])],
    ['audio/ogg', Buffer.from('OggS\0\x02')],
    ['audio/flac', Buffer.from('fLaC\0\0')],
    ['audio/mpeg', Buffer.from('ID3\x03\0\0')],
    ['application/pdf', Buffer.from('%PDF-1.7\n')],
    ['application/zip', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0])],
    ['application/gzip', Buffer.from([0x1f, 0x8b, 0x08, 0])],
    ['text/plain; charset=utf-8', Buffer.from('héllo wörld\n')],
    ['application/octet-stream', Buffer.from([0, 1, 2, 3, 0xfe, 0xff])],
  ];
  for (const [type, bytes] of cases) test(type, () => assert.equal(sniffContentType(bytes), type));

  test('only images, audio and video are inline-safe, never SVG', () => {
    assert.ok(isInlineSafe('image/png'));
    assert.ok(isInlineSafe('video/mp4'));
    assert.ok(!isInlineSafe('image/svg+xml'));
    assert.ok(!isInlineSafe('text/html'));
    assert.ok(!isInlineSafe('application/pdf'));
  });
});

describe('images', () => {
  test('data URIs are decoded and checked against the real bytes', async () => {
    const data = await png();
    const ok = decodeDataUri(`data:image/png;base64,${data.toString('base64')}`, { maxBytes: 1 << 20 });
    assert.equal(ok.contentType, 'image/png');
    assert.deepEqual(ok.data, data);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as ImageError).code;
      }
      return 'none';
    };
    assert.equal(
      code(() => decodeDataUri('nope', { maxBytes: 100 })),
      'invalid_data_uri',
    );
    assert.equal(
      code(() => decodeDataUri(`data:image/gif;base64,${data.toString('base64')}`, { maxBytes: 1 << 20 })),
      'unsupported_type',
    );
    assert.equal(
      code(() =>
        decodeDataUri(`data:image/png;base64,${Buffer.from('%PDF-1.4').toString('base64')}`, {
          maxBytes: 1 << 20,
        }),
      ),
      'unsupported_type',
    );
    assert.equal(
      code(() => decodeDataUri(`data:image/png;base64,${data.toString('base64')}`, { maxBytes: 10 })),
      'too_large',
    );
  });

  test('processing crops, re-encodes to PNG and strips metadata', async () => {
    const jpeg = await sharp({ create: { width: 300, height: 100, channels: 3, background: '#00ff00' } })
      .jpeg()
      .withMetadata({ exif: { IFD0: { Copyright: 'secret-owner' } } })
      .toBuffer();
    const out = await processImage(jpeg, { width: 64, height: 64, fit: 'cover' });
    assert.equal(out.contentType, 'image/png');
    assert.equal(out.width, 64);
    assert.equal(out.height, 64);
    assert.equal(out.animated, false);
    const meta = await sharp(out.data).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.exif, undefined);
    assert.ok(!out.data.includes('secret-owner'));
  });

  test('corrupt data is an ImageError, not a crash', async () => {
    await assert.rejects(
      processImage(Buffer.from('not an image at all'), { width: 8, height: 8, fit: 'cover' }),
      (e: unknown) => e instanceof ImageError && e.code === 'invalid_image',
    );
    assert.equal(await imageInfo(Buffer.from('nope')), null);
  });

  test('previews fit inside the bound; hashes are 32 hex characters', async () => {
    const big = await png(800, 400);
    const p = await makePreview(big, 200);
    assert.equal(p.width, 200);
    assert.equal(p.height, 100);
    assert.equal(p.contentType, 'image/webp');
    assert.deepEqual(await imageInfo(big), { width: 800, height: 400, format: 'png' });
    assert.match(contentHash(big), /^[0-9a-f]{32}$/);
  });
});
