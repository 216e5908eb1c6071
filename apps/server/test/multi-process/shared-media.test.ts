import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { callApi as api, ProcessGroup, waitForHealth } from '../process';
import { startS3, type TestS3 } from '../s3-server';

// Two Hearth processes sharing one PostgreSQL database and one S3 bucket (a real S3-protocol server, s3rver):
// a file uploaded through one is served by the other, and deleted through one it is gone from both.

const adminUrl = process.env.DATABASE_URL;
const skip = adminUrl ? false : 'needs DATABASE_URL: two processes share one PostgreSQL database';
const PUBLIC_URL = 'http://hearth.test';

let s3: TestS3;
let group: ProcessGroup;

/** One more process on the group's database and the shared bucket, without Redis. */
const start = (workerId: number) =>
  group.start(workerId, {
    // One public URL for both, as behind a load balancer: attachment URLs are signed for its paths.
    PUBLIC_URL,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  });

/** A URL Hearth signed, fetched from one process. */
const via = (p: { url: string }, url: string) => fetch(url.replace(PUBLIC_URL, p.url));

describe('media shared through S3 by two processes', { skip }, () => {
  before(async () => {
    s3 = await startS3();
    group = await ProcessGroup.onPostgres();
  });

  after(async () => {
    await group?.close();
    await s3?.close();
  });

  test('uploaded through A, served by B; deleted through A, gone from B and from the bucket', async () => {
    const workerBase = 600 + Math.floor(Math.random() * 90);
    const a = await start(workerBase);
    const b = await start(workerBase + 1);
    await Promise.all([waitForHealth(a), waitForHealth(b)]);

    const reg = await api(a, 'POST', '/auth/register', undefined, {
      email: 'media@example.test',
      username: `media_${randomBytes(3).toString('hex')}`,
      password: 'long enough',
    });
    assert.equal(reg.status, 201);
    const token = reg.body.token;
    const guild = (await api(a, 'POST', '/guilds', token, { name: 'Shared media' })).body;
    const channel = (await api(a, 'GET', `/guilds/${guild.id}/channels`, token)).body.find(
      (c: any) => c.type === 0,
    );

    const png = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const text = Buffer.alloc(6 * 1024 * 1024 + 3, 'h');
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'from A' }));
    form.append('files[0]', new Blob([png as BlobPart]), 'photo.png');
    form.append('files[1]', new Blob([text as BlobPart]), 'notes.txt');
    const sent = await fetch(`${a.url}/api/v10/channels/${channel.id}/messages`, {
      method: 'POST',
      headers: { authorization: token },
      body: form,
    });
    assert.equal(sent.status, 200, await sent.clone().text());
    const messageId = (await sent.json()).id;

    const seen = await api(b, 'GET', `/channels/${channel.id}/messages/${messageId}`, token);
    const [image, notes] = seen.body.attachments;
    assert.equal(image.width, 600);
    const file = await via(b, image.url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), png);
    const preview = await via(b, image.proxy_url);
    assert.equal(preview.status, 200);
    assert.equal(preview.headers.get('content-type'), 'image/webp');
    const big = await via(b, notes.url);
    assert.equal(big.status, 200);
    assert.equal(big.headers.get('content-length'), String(text.length));
    assert.deepEqual(Buffer.from(await big.arrayBuffer()), text);
    // Signed URLs still guard the files: unsigned, they are not served.
    assert.equal((await via(b, image.url.split('?')[0])).status, 404);

    // Avatars too: set through B, served by A.
    const avatar = `data:image/png;base64,${png.toString('base64')}`;
    const me = await api(b, 'PATCH', '/users/@me', token, { avatar });
    assert.equal(me.status, 200);
    const served = await fetch(`${a.url}/avatars/${reg.body.user_id}/${me.body.avatar}.png`);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'image/png');

    assert.ok(s3.keys().some((k) => k.startsWith(`attachments/${channel.id}/`)));
    for (const p of [a, b]) assert.ok(!existsSync(join(p.dataDir, 'media')), 'nothing on local disk');

    assert.equal(
      (await api(a, 'DELETE', `/channels/${channel.id}/messages/${messageId}`, token)).status,
      204,
    );
    assert.equal((await via(b, image.url)).status, 404);
    assert.deepEqual(
      s3.keys().filter((k) => k.startsWith('attachments/')),
      [],
      'the files left the bucket',
    );
  });
});
