import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config';
import { createLocalStorage } from '../../src/media/local-storage';
import { openMediaStorage } from '../../src/media/media-storage';
import { createS3Storage } from '../../src/media/s3-storage';
import { type MediaStorage, readAll } from '../../src/media/storage';
import { startS3, type TestS3 } from '../s3-server';

// One contract, two implementations: local disk and a real S3-protocol server (s3rver, started here).

const MiB = 1024 * 1024;
let s3: TestS3;
let root: string;
before(async () => {
  s3 = await startS3();
  root = mkdtempSync(join(tmpdir(), 'hearth-media-'));
});
after(async () => {
  await s3.close();
  rmSync(root, { recursive: true, force: true });
});

function localKeys(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.filter((k) => !k.endsWith('.meta')).sort();
}

const implementations: Array<{ name: string; make: () => MediaStorage; keys: () => string[] }> = [
  { name: 'local disk', make: () => createLocalStorage(root), keys: localKeys },
  {
    name: 'S3',
    make: () =>
      createS3Storage({
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      }),
    keys: () => s3.keys(),
  },
];

/** `total` bytes of `fill` in 1 MiB chunks, failing with `fail` after `failAfter` bytes when given. */
async function* bytes(total: number, fill: number, failAfter?: number) {
  for (let sent = 0; sent < total; sent += MiB) {
    if (failAfter !== undefined && sent >= failAfter) throw new Error('the upload was cut off');
    yield Buffer.alloc(Math.min(MiB, total - sent), fill);
  }
}

for (const impl of implementations) {
  describe(`media storage on ${impl.name}`, () => {
    test('bytes and streams go in; streams come out with their type and size', async () => {
      const s = impl.make();
      try {
        assert.deepEqual(await s.put('avatars/1/abc.png', Buffer.from('one'), 'image/png'), { size: 3 });
        const got = await s.get('avatars/1/abc.png');
        assert.equal(got?.contentType, 'image/png');
        assert.equal(got?.size, 3);
        assert.deepEqual(await readAll(got!), Buffer.from('one'));
        // Larger than S3's 5 MiB part: goes up as a multipart upload.
        const size = 11 * MiB + 5;
        assert.deepEqual(
          await s.put('attachments/9/8/file', Readable.from(bytes(size, 7)), 'application/octet-stream'),
          { size },
        );
        const big = await s.get('attachments/9/8/file');
        assert.equal(big?.size, size);
        const data = await readAll(big!);
        assert.equal(data.length, size);
        assert.ok(data.every((b) => b === 7));
        assert.equal(await s.get('avatars/1/missing.png'), null);
      } finally {
        await s.close();
      }
    });

    test('a stream that fails leaves nothing stored, and its own error is the one thrown', async () => {
      const s = impl.make();
      try {
        const before = impl.keys();
        for (const failAfter of [2 * MiB, 7 * MiB]) {
          await assert.rejects(
            s.put('attachments/5/4/file', Readable.from(bytes(20 * MiB, 1, failAfter)), 'x/y'),
            /the upload was cut off/,
          );
          assert.equal(await s.get('attachments/5/4/file'), null);
          assert.deepEqual(impl.keys(), before);
        }
      } finally {
        await s.close();
      }
    });

    test('delete and deletePrefix remove a file and a folder, and only that folder', async () => {
      const s = impl.make();
      try {
        await s.put('attachments/7/1/file', Buffer.from('a'), 'text/plain');
        await s.put('attachments/7/1/preview.webp', Buffer.from('b'), 'image/webp');
        await s.put('attachments/70/1/file', Buffer.from('c'), 'text/plain');
        await s.deletePrefix('attachments/7');
        assert.equal(await s.get('attachments/7/1/file'), null);
        assert.equal(await s.get('attachments/7/1/preview.webp'), null);
        assert.ok(await s.get('attachments/70/1/file'), 'a folder whose name starts the same stays');
        await s.delete('attachments/70/1/file');
        await s.delete('attachments/70/1/file');
        assert.equal(await s.get('attachments/70/1/file'), null);
      } finally {
        await s.close();
      }
    });

    test('keys cannot escape the root', async () => {
      const s = impl.make();
      try {
        for (const key of ['../x', 'a/../../b', '/etc/passwd', 'a//b', 'a\\b', 'a/b c', '']) {
          await assert.rejects(s.put(key, Buffer.from('x'), 'text/plain'), /invalid media key/, key);
        }
      } finally {
        await s.close();
      }
    });
  });
}

describe('the configured media storage', () => {
  test('S3_BUCKET selects the bucket, checked at start; a bucket that does not answer is one line', async () => {
    const env = {
      DATA_DIR: root,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    const storage = await openMediaStorage(loadConfig({ ...env, S3_BUCKET: s3.bucket }));
    try {
      await storage.put('emojis/1.png', Buffer.from('e'), 'image/png');
      assert.ok(s3.keys().includes('emojis/1.png'));
    } finally {
      await storage.delete('emojis/1.png');
      await storage.close();
    }
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { S3_BUCKET: 'no-such-bucket' },
        /^S3_BUCKET no-such-bucket at http:\/\/127\.0\.0\.1:\d+ cannot be used: the bucket does not exist/,
      ],
      // s3rver checks the key id (not SigV4 signatures).
      [
        { S3_BUCKET: s3.bucket, S3_ACCESS_KEY_ID: 'WRONG' },
        /^S3_BUCKET hearth-media .* cannot be used: access denied/,
      ],
    ];
    for (const [more, message] of cases) {
      await assert.rejects(openMediaStorage(loadConfig({ ...env, ...more })), (err: Error) => {
        assert.match(err.message, message);
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    }
  });
});
