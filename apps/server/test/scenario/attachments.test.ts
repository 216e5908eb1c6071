import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { users } from '../../src/store/schema';
import { createGuild, join as joinGuild } from '../guild-helpers';
import { filesUnder, startHearth, type TestServer, type TestUser } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

async function upload(
  u: TestUser,
  channelId: string,
  payload: unknown,
  files: Array<{ name: string; data: Buffer | string; type?: string }>,
) {
  const form = new FormData();
  form.append('payload_json', typeof payload === 'string' ? payload : JSON.stringify(payload));
  for (const [i, f] of files.entries()) {
    form.append(
      `files[${i}]`,
      new Blob([f.data as BlobPart], { type: f.type ?? 'application/octet-stream' }),
      f.name,
    );
  }
  const res = await fetch(`${h.url}/api/v10/channels/${channelId}/messages`, {
    method: 'POST',
    headers: { authorization: u.token },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Every stored file under the media root (attachments only). */
const storedFiles = () => filesUnder(join(h.dataDir, 'media', 'attachments'));

/** Attachment URLs name PUBLIC_URL; the test server listens elsewhere. */
const local = (url: string) => url.replace('http://hearth.test', h.url);
const png = () =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: '#224466' } })
    .png()
    .toBuffer();

describe('attachments', () => {
  test('files are stored with their real type, size and dimensions, and served from signed URLs', async () => {
    const g = await createGuild(h);
    const res = await upload(
      g.owner,
      g.textChannelId,
      { content: 'look', attachments: [{ id: 0, description: 'a square' }] },
      [
        { name: 'photo.png', data: await png(), type: 'image/png' },
        { name: 'evil.png', data: '<script>alert(1)</script>', type: 'image/png' },
      ],
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [image, text] = res.body.attachments;
    assert.equal(image.filename, 'photo.png');
    assert.equal(image.content_type, 'image/png');
    assert.equal(image.width, 640);
    assert.equal(image.height, 480);
    assert.equal(image.description, 'a square');
    assert.equal(text.content_type, 'text/plain; charset=utf-8', 'the declared type is never trusted');
    assert.equal(text.width, undefined);
    const got = await fetch(local(image.url));
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/png');
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.match(got.headers.get('content-disposition') ?? '', /^inline/);
    const lie = await fetch(local(text.url));
    assert.match(lie.headers.get('content-disposition') ?? '', /^attachment/);
    assert.equal(await lie.text(), '<script>alert(1)</script>');
    // Images have a smaller preview at proxy_url; other files do not.
    assert.notEqual(image.proxy_url, image.url);
    const preview = await fetch(local(image.proxy_url));
    assert.equal(preview.status, 200);
    assert.equal(preview.headers.get('content-type'), 'image/webp');
    assert.equal(preview.headers.get('x-content-type-options'), 'nosniff');
    const meta = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    assert.ok(meta.width! <= 400 && meta.height! <= 400, `${meta.width}x${meta.height}`);
    assert.equal(text.proxy_url, text.url);
    assert.equal((await fetch(local(image.proxy_url).split('?')[0])).status, 404);
    const textPreview = local(text.url).replace('/evil.png', '/preview/evil.png');
    assert.equal((await fetch(textPreview)).status, 404, 'a signature is for one path only');
    // Unsigned or tampered URLs look like missing files.
    const bare = local(image.url).split('?')[0];
    assert.equal((await fetch(bare)).status, 404);
    assert.equal((await fetch(`${local(image.url).slice(0, -2)}00`)).status, 404);
    // History shows the attachments.
    const history = await h.api('GET', `/channels/${g.textChannelId}/messages/${res.body.id}`, {
      token: g.owner.token,
    });
    assert.equal(history.body.attachments.length, 2);
    // Deleting the message deletes its files.
    const before = storedFiles().length;
    assert.equal(
      (
        await h.api('DELETE', `/channels/${g.textChannelId}/messages/${res.body.id}`, {
          token: g.owner.token,
        })
      ).status,
      204,
    );
    assert.equal((await fetch(local(image.url))).status, 404);
    assert.ok(storedFiles().length < before);
  });

  test('long file names keep their extension and download from short URLs', async () => {
    const g = await createGuild(h);
    const stem = 'quarterly report draft for the board '.repeat(8);
    const res = await upload(g.owner, g.textChannelId, { content: 'names' }, [
      { name: `${'x'.repeat(150)}.png`, data: await png() },
      { name: `${stem}.final.pdf`, data: 'not really a pdf' },
      { name: 'ab'.repeat(150), data: 'no extension at all' },
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [image, doc, bare] = res.body.attachments;
    assert.equal(image.filename, `${'x'.repeat(150)}.png`, 'a name within 255 characters is kept whole');
    assert.equal(doc.filename.length, 255);
    assert.ok(doc.filename.endsWith('.pdf'), doc.filename);
    assert.ok(doc.filename.startsWith('quarterly_report_draft_for_the_board_'));
    assert.equal(bare.filename.length, 255);
    for (const a of [image, doc, bare]) {
      const name = new URL(a.url).pathname.split('/').pop()!;
      assert.ok(name.length <= 64, name);
      const extension = (n: string) => (n.includes('.') ? n.slice(n.lastIndexOf('.')) : '');
      assert.equal(extension(name), extension(a.filename), 'the URL keeps the extension');
      const got = await fetch(local(a.url));
      assert.equal(got.status, 200, `${a.filename} downloads`);
      assert.equal(Number(got.headers.get('content-length')), a.size);
      assert.match(got.headers.get('content-disposition') ?? '', new RegExp(`filename="${a.filename}"`));
    }
    assert.equal((await fetch(local(image.proxy_url))).status, 200, 'and so does the preview');
    // The full name in place of the short one is not the file.
    const long = local(image.url).replace(/\/[^/?]+\?/, `/${image.filename}?`);
    assert.ok([404, 414].includes((await fetch(long)).status));
  });

  test('served files carry a CSP that runs nothing and nosniff', async () => {
    const g = await createGuild(h);
    const res = await upload(g.owner, g.textChannelId, { content: 'csp' }, [
      { name: 'page.html', data: '<html><script>alert(1)</script></html>' },
      { name: 'photo.png', data: await png() },
    ]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    for (const url of res.body.attachments.flatMap((a: any) => [a.url, a.proxy_url])) {
      const got = await fetch(local(url));
      assert.equal(got.status, 200);
      const csp = got.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /sandbox/);
      assert.doesNotMatch(csp, /script-src/);
      assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    }
  });

  test('ATTACH_FILES is required; refusals leave no files behind', async () => {
    const g = await createGuild(h);
    const m = await joinGuild(h, g);
    await h.api('PUT', `/channels/${g.textChannelId}/permissions/${m.id}`, {
      token: g.owner.token,
      body: { type: 1, deny: P.ATTACH_FILES.toString() },
    });
    const count = storedFiles().length;
    const res = await upload(m, g.textChannelId, { content: 'x' }, [{ name: 'a.txt', data: 'hello' }]);
    assert.equal(res.status, 403);
    assert.equal(storedFiles().length, count);
  });

  test('each file must fit the user’s upload limit', async () => {
    const g = await createGuild(h);
    await h.app.database.db.update(users).set({ uploadLimit: 1000 }).where(eq(users.id, g.owner.id));
    const count = storedFiles().length;
    const res = await upload(g.owner, g.textChannelId, {}, [
      { name: 'small.txt', data: 'ok' },
      { name: 'big.bin', data: Buffer.alloc(2000, 1) },
    ]);
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 40005);
    assert.equal(storedFiles().length, count, 'the small file written first was removed too');
    const history = await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: g.owner.token });
    assert.ok(!history.body.some((m: any) => m.attachments.length), 'no half message');
  });

  test('a file alone is a message; a retried send with enforce_nonce keeps one copy of the files', async () => {
    const g = await createGuild(h);
    const first = await upload(g.owner, g.textChannelId, { nonce: 'up-1', enforce_nonce: true }, [
      { name: 'a.txt', data: 'one' },
    ]);
    assert.equal(first.status, 200);
    const count = storedFiles().length;
    const again = await upload(g.owner, g.textChannelId, { nonce: 'up-1', enforce_nonce: true }, [
      { name: 'a.txt', data: 'one' },
    ]);
    assert.equal(again.body.id, first.body.id);
    assert.equal(storedFiles().length, count);
  });

  test('malformed forms and payloads are 4xx', async () => {
    const g = await createGuild(h);
    assert.equal((await upload(g.owner, g.textChannelId, '{not json', [])).body.code, 50109);
    const invalid = await upload(g.owner, g.textChannelId, { content: 'x'.repeat(2001) }, []);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.code, 50035);
    const broken = await fetch(`${h.url}/api/v10/channels/${g.textChannelId}/messages`, {
      method: 'POST',
      headers: { authorization: g.owner.token, 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="payload_json"\r\n\r\n{"content":"hi"}\r\n--xy',
    });
    assert.ok(broken.status >= 400 && broken.status < 500, `status ${broken.status}`);
    const tooMany = await upload(
      g.owner,
      g.textChannelId,
      {},
      Array.from({ length: 11 }, (_, i) => ({ name: `${i}.txt`, data: 'x' })),
    );
    assert.ok(tooMany.status === 413 || tooMany.status === 400, `status ${tooMany.status}`);
  });

  test('a DM’s files are out of reach for a third party', async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    const dm = (await h.api('POST', '/users/@me/channels', { token: a.token, body: { recipient_id: b.id } }))
      .body;
    const sent = await upload(a, dm.id, {}, [{ name: 'secret.txt', data: 'for b only' }]);
    assert.equal(sent.status, 200);
    assert.equal(
      (await h.api('GET', `/channels/${dm.id}/messages/${sent.body.id}`, { token: c.token })).status,
      404,
    );
    const seen = await h.api('GET', `/channels/${dm.id}/messages/${sent.body.id}`, { token: b.token });
    assert.equal(await (await fetch(local(seen.body.attachments[0].url))).text(), 'for b only');
    assert.equal((await fetch(local(seen.body.attachments[0].url).split('?')[0])).status, 404);
  });
});
