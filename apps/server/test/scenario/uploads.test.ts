import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { users } from '../../src/store/schema';
import { createGuild } from '../guild-helpers';
import { filesUnder, startHearth, type TestServer, type TestUser } from '../harness';
import { startS3 } from '../s3-server';

// Streamed uploads (issue 18): the caller is authorized before a byte of the files is read, and the upload limit
// holds while the bytes arrive. Each test sends a large body in chunks, waiting for the socket to take each one,
// and stops when the answer comes: an answer before most of the body was sent proves the server did not read it.

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

const MiB = 1024 * 1024;
const BOUNDARY = 'hearth-upload-test';

/** Every stored file under the media root's attachments (temporary ones included). */
const storedFiles = () => filesUnder(join(h.dataDir, 'media', 'attachments'));

type Part = { payload: unknown; json?: boolean } | { field: string; name: string; bytes: number };

/**
 * Posts a multipart message form of `parts` (file contents are `bytes` of 'x'), written chunk by chunk; stops
 * writing when the answer arrives. Returns the answer and how many body bytes were written by then.
 */
async function streamForm(
  server: TestServer,
  user: TestUser,
  channelId: string,
  parts: Part[],
  opts: { hangUpAfter?: number } = {},
): Promise<{ status: number; body: any; sent: number; total: number }> {
  const pieces: Array<Buffer | number> = [];
  for (const p of parts) {
    if ('payload' in p) {
      pieces.push(
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="payload_json"\r\n` +
            `${p.json ? 'Content-Type: application/json\r\n' : ''}\r\n${JSON.stringify(p.payload)}\r\n`,
        ),
      );
    } else {
      pieces.push(
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.field}"; filename="${p.name}"\r\n` +
            'Content-Type: application/octet-stream\r\n\r\n',
        ),
        p.bytes,
        Buffer.from('\r\n'),
      );
    }
  }
  pieces.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  const total = pieces.reduce<number>((n, p) => n + (typeof p === 'number' ? p : p.length), 0);
  const chunk = Buffer.alloc(256 * 1024, 'x');
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/v10/channels/${channelId}/messages`,
      headers: {
        authorization: user.token,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': total,
      },
    });
    req.on('response', (res) => {
      answered = true;
      const status = res.statusCode ?? 0;
      const sentThen = sent;
      const data: Buffer[] = [];
      res.on('data', (d: Buffer) => data.push(d));
      res.on('end', () => {
        req.destroy();
        const text = Buffer.concat(data).toString();
        resolve({ status, body: text ? JSON.parse(text) : null, sent: sentThen, total });
      });
    });
    // A server that cut the connection after answering makes later writes fail: that is expected.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const write = (b: Buffer) =>
      new Promise<void>((done) => {
        sent += b.length;
        if (req.write(b)) done();
        else req.once('drain', done);
      });
    (async () => {
      for (const piece of pieces) {
        if (typeof piece !== 'number') {
          if (answered) return;
          await write(piece);
          continue;
        }
        for (let left = piece; left > 0; left -= chunk.length) {
          if (answered || req.destroyed) return;
          if (opts.hangUpAfter !== undefined && sent >= opts.hangUpAfter) {
            req.destroy();
            resolve({ status: 0, body: null, sent, total });
            return;
          }
          await write(chunk.subarray(0, Math.min(chunk.length, left)));
        }
      }
      req.end();
    })().catch(() => {});
  });
}

describe('streamed uploads', () => {
  test('an outsider’s large upload is refused before its files are read', async () => {
    const g = await createGuild(h);
    const outsider = await h.register();
    const before = storedFiles().length;
    const res = await streamForm(h, outsider, g.textChannelId, [
      { payload: { content: 'let me in' } },
      ...[0, 1, 2].map((i) => ({ field: `files[${i}]`, name: `${i}.bin`, bytes: 40 * MiB })),
    ]);
    assert.equal(res.status, 404, JSON.stringify(res.body));
    assert.equal(res.body.code, 10003);
    // Socket buffers take a few MiB before the sender blocks; the body is 120 MiB.
    assert.ok(res.sent < 20 * MiB, `${res.sent} of ${res.total} bytes were sent before the answer`);
    assert.equal(storedFiles().length, before);
  });

  test('files first, payload_json last: still refused before the files are read', async () => {
    const g = await createGuild(h);
    const outsider = await h.register();
    const res = await streamForm(h, outsider, g.textChannelId, [
      { field: 'files[0]', name: 'a.bin', bytes: 60 * MiB },
      { payload: { content: 'late' } },
    ]);
    assert.equal(res.status, 404);
    assert.ok(res.sent < 20 * MiB, `${res.sent} of ${res.total} bytes were sent before the answer`);
  });

  test('a file over the upload limit is a 413 as soon as the limit is passed, and nothing stays stored', async () => {
    const g = await createGuild(h);
    await h.app.database.db.update(users).set({ uploadLimit: MiB }).where(eq(users.id, g.owner.id));
    const before = storedFiles().length;
    const res = await streamForm(h, g.owner, g.textChannelId, [
      { payload: { content: 'too big' } },
      { field: 'files[0]', name: 'small.bin', bytes: 1000 },
      { field: 'files[1]', name: 'big.bin', bytes: 60 * MiB },
    ]);
    assert.equal(res.status, 413, JSON.stringify(res.body));
    assert.equal(res.body.code, 40005);
    assert.ok(res.sent < 20 * MiB, `${res.sent} of ${res.total} bytes were sent before the answer`);
    assert.equal(storedFiles().length, before, 'the small file and the partial big one are removed');
    const history = await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: g.owner.token });
    assert.ok(!history.body.some((m: any) => m.attachments.length), 'no message with files');
  });

  test('the limit holds for the files of one request together', async () => {
    const g = await createGuild(h);
    await h.app.database.db.update(users).set({ uploadLimit: MiB }).where(eq(users.id, g.owner.id));
    const before = storedFiles().length;
    const res = await streamForm(h, g.owner, g.textChannelId, [
      { payload: {} },
      ...[0, 1, 2].map((i) => ({ field: `files[${i}]`, name: `${i}.bin`, bytes: 400 * 1024 })),
    ]);
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 40005);
    assert.equal(storedFiles().length, before);
  });

  test('a large file within the limit streams in and out whole; payload_json may follow the files', async () => {
    const g = await createGuild(h);
    const size = 12 * MiB;
    const res = await streamForm(h, g.owner, g.textChannelId, [
      { field: 'files[0]', name: 'raw name.bin', bytes: size },
      { field: 'files[1]', name: 'b.txt', bytes: 10 },
      { payload: { content: 'big', attachments: [{ id: 0, filename: 'renamed.txt', description: 'xs' }] } },
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.sent, res.total);
    const [big, small] = res.body.attachments;
    assert.equal(big.filename, 'renamed.txt', 'payload_json names a file it comes after');
    assert.equal(big.description, 'xs');
    assert.equal(big.size, size);
    assert.equal(big.content_type, 'text/plain; charset=utf-8');
    assert.equal(small.filename, 'b.txt');
    const got = await fetch(big.url.replace('http://hearth.test', h.url));
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-length'), String(size));
    let received = 0;
    for await (const part of got.body as unknown as AsyncIterable<Uint8Array>) {
      received += part.length;
      assert.ok(part.every((b) => b === 0x78));
    }
    assert.equal(received, size);
  });

  test('a client that hangs up halfway through a file leaves nothing stored', async () => {
    const g = await createGuild(h);
    const before = storedFiles().length;
    const res = await streamForm(
      h,
      g.owner,
      g.textChannelId,
      [{ payload: {} }, { field: 'files[0]', name: 'a.bin', bytes: 20 * MiB }],
      { hangUpAfter: 6 * MiB },
    );
    assert.equal(res.status, 0);
    // The server notices the hang-up on its own time: wait (boundedly) for the partial file to go.
    for (let i = 0; i < 200 && storedFiles().length !== before; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(storedFiles().length, before);
  });

  test('payload_json sent as application/json (as discord.py sends it) is read', async () => {
    const g = await createGuild(h);
    const res = await streamForm(h, g.owner, g.textChannelId, [
      { payload: { content: 'typed part' }, json: true },
      { field: 'files[0]', name: 'a.txt', bytes: 3 },
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.content, 'typed part');
    const broken = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      raw: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="payload_json"\r\nContent-Type: application/json\r\n\r\n{nope\r\n--${BOUNDARY}--\r\n`,
    });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.code, 50109);
  });

  test('a payload_json labelled application/json (as Eris sends it) keeps ids sent as numbers exact, depth-bounded', async () => {
    const g = await createGuild(h);
    const target = (
      await h.api('POST', `/channels/${g.textChannelId}/messages`, {
        token: g.owner.token,
        body: { content: 'reply to me' },
      })
    ).body;
    assert.ok(BigInt(target.id) > 2n ** 53n, 'a Hearth id past 2^53');
    const labelled = (json: string) =>
      h.api('POST', `/channels/${g.textChannelId}/messages`, {
        token: g.owner.token,
        headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        raw: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="payload_json"\r\nContent-Type: application/json\r\n\r\n${json}\r\n--${BOUNDARY}--\r\n`,
      });
    // The id written as a JSON number, digit for digit: JSON.parse would round it.
    const reply = await labelled(`{"content":"a reply","message_reference":{"message_id":${target.id}}}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.message_reference.message_id, target.id);
    assert.equal(reply.body.referenced_message.id, target.id);
    // "content": null with a file only, as discord.py sends it: no content.
    const fileOnly = await streamForm(h, g.owner, g.textChannelId, [
      { payload: { content: null }, json: true },
      { field: 'files[0]', name: 'only.txt', bytes: 3 },
    ]);
    assert.equal(fileOnly.status, 200, JSON.stringify(fileOnly.body));
    assert.equal(fileOnly.body.content, '');
    assert.equal(fileOnly.body.attachments[0].filename, 'only.txt');
    const deep = await labelled(`{"content":"deep","embeds":${'['.repeat(100)}${']'.repeat(100)}}`);
    assert.equal(deep.status, 400);
    assert.equal(deep.body.code, 50109);
  });
});

describe('streamed uploads into an S3 bucket', () => {
  test('over the limit: 413, and neither file stays in the bucket; within it, stored and served back', async () => {
    const s3 = await startS3();
    const server = await startHearth({
      s3Bucket: s3.bucket,
      s3Endpoint: s3.endpoint,
      s3AccessKeyId: s3.accessKeyId,
      s3SecretAccessKey: s3.secretAccessKey,
      s3ForcePathStyle: true,
    });
    try {
      const g = await createGuild(server);
      await server.app.database.db
        .update(users)
        .set({ uploadLimit: 8 * MiB })
        .where(eq(users.id, g.owner.id));
      const over = await streamForm(server, g.owner, g.textChannelId, [
        { payload: {} },
        { field: 'files[0]', name: 'a.bin', bytes: 3 * MiB },
        // Past lib-storage's 5 MiB part: the second file is a multipart upload when the limit is passed.
        { field: 'files[1]', name: 'b.bin', bytes: 40 * MiB },
      ]);
      assert.equal(over.status, 413);
      assert.equal(over.body.code, 40005);
      assert.deepEqual(s3.keys(), []);
      const ok = await streamForm(server, g.owner, g.textChannelId, [
        { payload: { content: 'fits' } },
        { field: 'files[0]', name: 'a.bin', bytes: 7 * MiB },
      ]);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(s3.keys(), [`attachments/${g.textChannelId}/${ok.body.attachments[0].id}/file`]);
      const got = await fetch(ok.body.attachments[0].url.replace('http://hearth.test', server.url));
      assert.equal((await got.arrayBuffer()).byteLength, 7 * MiB);
    } finally {
      await server.close();
      await s3.close();
    }
  });
});
