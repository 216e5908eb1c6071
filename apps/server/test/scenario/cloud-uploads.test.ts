import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Permission as P } from '@hearth/permissions';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { cloudUploads, users } from '../../src/store/schema';
import { createGuild, join as joinGuild } from '../guild-helpers';
import { filesUnder, startHearth, type TestServer, type TestUser } from '../harness';

// Discord's cloud-upload flow (issue 20): POST /channels/:id/attachments announces files, each is PUT to its signed
// upload_url, and a message names it by uploaded_filename.

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

/** The stored files (each beside its `.meta`) under the media root's attachments. */
const storedFiles = () =>
  filesUnder(join(h.dataDir, 'media', 'attachments')).filter((f) => !f.endsWith('.meta'));
/** URLs name PUBLIC_URL; the test server listens elsewhere. */
const local = (url: string) => url.replace('http://hearth.test', h.url);
const png = () =>
  sharp({ create: { width: 320, height: 200, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();

async function announce(u: TestUser | null, channelId: string, files: unknown[]) {
  return h.api('POST', `/channels/${channelId}/attachments`, {
    ...(u ? { token: u.token } : {}),
    body: { files },
  });
}

async function put(uploadUrl: string, data: Buffer | string) {
  const res = await fetch(local(uploadUrl), {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: data as BodyInit,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Announces one file and PUTs it; returns its upload_filename. */
async function uploaded(u: TestUser, channelId: string, name: string, data: Buffer | string) {
  const res = await announce(u, channelId, [{ id: '0', filename: name, file_size: Buffer.byteLength(data) }]);
  assert.equal(res.status, 200, res.text);
  const [slot] = res.body.attachments;
  assert.equal((await put(slot.upload_url, data)).status, 200);
  return slot.upload_filename as string;
}

describe('cloud uploads', () => {
  test('announced files are PUT once and become the attachments of a message, sniffed and previewed', async () => {
    const g = await createGuild(h);
    const image = await png();
    const res = await announce(g.owner, g.textChannelId, [
      { id: '7', filename: 'photo.png', file_size: image.length },
      { id: 8, filename: 'notes.png', file_size: 5 },
    ]);
    assert.equal(res.status, 200, res.text);
    const [a, b] = res.body.attachments;
    assert.equal(a.id, '7', 'the client’s key is echoed');
    assert.equal(b.id, '8');
    assert.match(a.upload_filename, /^\d+\/photo\.png$/);
    assert.equal((await put(a.upload_url, image)).status, 200);
    assert.equal((await put(b.upload_url, 'hello')).status, 200);
    assert.equal((await put(a.upload_url, image)).status, 404, 'an upload URL is used once');

    const sent = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: {
        content: 'from the cloud',
        attachments: [
          {
            id: '0',
            filename: 'renamed.png',
            description: 'a blue box',
            uploaded_filename: a.upload_filename,
          },
          { id: '1', filename: 'notes.png', uploaded_filename: b.upload_filename },
        ],
      },
    });
    assert.equal(sent.status, 200, sent.text);
    const [img, txt] = sent.body.attachments;
    assert.equal(img.filename, 'renamed.png');
    assert.equal(img.description, 'a blue box');
    assert.equal(img.content_type, 'image/png');
    assert.equal(img.width, 320);
    assert.equal(img.height, 200);
    assert.notEqual(img.proxy_url, img.url, 'an image gets its preview, as a multipart one does');
    assert.equal(txt.content_type, 'text/plain; charset=utf-8', 'the name’s .png is not trusted');
    const served = await fetch(local(img.url));
    assert.equal(served.status, 200);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), image);

    const history = await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: g.owner.token });
    assert.equal(history.body[0].attachments.length, 2);
    const again = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: { content: 'twice', attachments: [{ id: '0', uploaded_filename: a.upload_filename }] },
    });
    assert.equal(again.status, 400);
    assert.equal(again.body.code, 50146, 'an upload makes one attachment');
  });

  test('only a member who may attach files announces uploads, within their limit and count', async () => {
    const g = await createGuild(h);
    const outsider = await h.register();
    const m = await joinGuild(h, g);
    const one = [{ filename: 'a.txt', file_size: 3 }];
    assert.equal((await announce(null, g.textChannelId, one)).status, 401);
    const hidden = await announce(outsider, g.textChannelId, one);
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.code, 10003);
    await h.api('PUT', `/channels/${g.textChannelId}/permissions/${m.id}`, {
      token: g.owner.token,
      body: { type: 1, deny: P.ATTACH_FILES.toString() },
    });
    assert.equal((await announce(m, g.textChannelId, one)).status, 403);

    await h.app.database.db.update(users).set({ uploadLimit: 1000 }).where(eq(users.id, g.owner.id));
    const big = await announce(g.owner, g.textChannelId, [{ filename: 'big.bin', file_size: 1001 }]);
    assert.equal(big.status, 413);
    assert.equal(big.body.code, 40005);
    const many = Array.from({ length: 11 }, (_, i) => ({ filename: `${i}.txt`, file_size: 1 }));
    assert.equal((await announce(g.owner, g.textChannelId, many)).status, 400);
    const bad = await announce(g.owner, g.textChannelId, [{ filename: 'x.txt', file_size: 0 }]);
    assert.equal(bad.status, 400);
    assert.ok(bad.body.errors, 'field errors name what is wrong');
  });

  test('a PUT past the announced size, or to a tampered URL, stores nothing', async () => {
    const g = await createGuild(h);
    const res = await announce(g.owner, g.textChannelId, [{ filename: 'a.bin', file_size: 10 }]);
    const [slot] = res.body.attachments;
    const count = storedFiles().length;
    assert.equal((await put(slot.upload_url.replace(/hm=[0-9a-f]/, 'hm=g'), 'x')).status, 404);
    assert.equal((await put(slot.upload_url.replace(/ex=[0-9a-f]+/, 'ex=1'), 'x')).status, 404);
    const over = await put(slot.upload_url, Buffer.alloc(20_000, 1));
    assert.equal(over.status, 413);
    assert.equal(over.body.code, 40005);
    assert.equal(storedFiles().length, count, 'nothing of the refused file is kept');
    const use = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: { attachments: [{ id: '0', uploaded_filename: slot.upload_filename }] },
    });
    assert.equal(use.status, 400);
    assert.equal(use.body.code, 50146, 'a failed upload is gone');
  });

  test('another person, another channel or an unfinished upload cannot use an uploaded_filename', async () => {
    const g = await createGuild(h);
    const m = await joinGuild(h, g);
    const name = await uploaded(g.owner, g.textChannelId, 'mine.txt', 'secret');
    const theirs = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: m.token,
      body: { content: 'stolen', attachments: [{ id: '0', uploaded_filename: name }] },
    });
    assert.equal(theirs.status, 400);
    assert.equal(theirs.body.code, 50146);
    const other = await h.api('POST', `/guilds/${g.id}/channels`, {
      token: g.owner.token,
      body: { name: 'other', type: 0 },
    });
    const elsewhere = await h.api('POST', `/channels/${other.body.id}/messages`, {
      token: g.owner.token,
      body: { attachments: [{ id: '0', uploaded_filename: name }] },
    });
    assert.equal(elsewhere.body.code, 50146);
    const announced = await announce(g.owner, g.textChannelId, [{ filename: 'later.txt', file_size: 2 }]);
    const early = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: { attachments: [{ id: '0', uploaded_filename: announced.body.attachments[0].upload_filename }] },
    });
    assert.equal(early.body.code, 50146, 'bytes not yet received');
    const made = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: { attachments: [{ id: '0', uploaded_filename: `${name.split('/')[0]}/anything.txt` }] },
    });
    assert.equal(made.status, 200, 'the uploader still has it');
    assert.equal(made.body.attachments[0].filename, 'mine.txt');
  });

  test('DELETE /attachments/:upload_filename cancels the caller’s own unsent upload, bytes and all', async () => {
    const g = await createGuild(h);
    const m = await joinGuild(h, g);
    const outsider = await h.register();
    const cancel = (u: TestUser | null, name: string) =>
      h.api('DELETE', `/attachments/${encodeURIComponent(name)}`, u ? { token: u.token } : {});
    const before = storedFiles().length;
    const name = await uploaded(g.owner, g.textChannelId, 'draft.txt', 'not sent after all');
    assert.equal(storedFiles().length, before + 1);

    assert.equal((await cancel(null, name)).status, 401);
    for (const u of [m, outsider]) {
      const theirs = await cancel(u, name);
      assert.equal(theirs.status, 404, 'someone else’s upload is as unknown as a made-up one');
      assert.deepEqual(theirs.body, (await cancel(u, '123/nothing.txt')).body, 'and learns nothing more');
    }
    assert.equal((await cancel(g.owner, 'not-an-upload')).status, 404);
    assert.equal(storedFiles().length, before + 1, 'refused cancels removed nothing');

    const done = await cancel(g.owner, name);
    assert.equal(done.status, 204, done.text);
    assert.equal(storedFiles().length, before, 'its bytes are gone');
    assert.equal((await cancel(g.owner, name)).status, 404, 'once');
    const use = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: { attachments: [{ id: '0', uploaded_filename: name }] },
    });
    assert.equal(use.body.code, 50146, 'a cancelled upload cannot be sent');

    // Unencoded, the name reads as two segments: the same route.
    const plain = await uploaded(g.owner, g.textChannelId, 'two.txt', 'xx');
    const res = await h.api('DELETE', `/attachments/${plain}`, { token: g.owner.token });
    assert.equal(res.status, 204, res.text);

    // Announced, not yet PUT: cancelled, and its URL is dead.
    const waiting = await announce(g.owner, g.textChannelId, [{ filename: 'w.txt', file_size: 2 }]);
    const [slot] = waiting.body.attachments;
    assert.equal((await cancel(g.owner, slot.upload_filename)).status, 204);
    assert.equal((await put(slot.upload_url, 'hi')).status, 404);
  });

  test('an upload already sent cannot be cancelled: the message keeps its file', async () => {
    const g = await createGuild(h);
    const name = await uploaded(g.owner, g.textChannelId, 'kept.txt', 'kept');
    const sent = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: { attachments: [{ id: '0', uploaded_filename: name }] },
    });
    assert.equal(sent.status, 200, sent.text);
    const res = await h.api('DELETE', `/attachments/${encodeURIComponent(name)}`, { token: g.owner.token });
    assert.equal(res.status, 404);
    const served = await fetch(local(sent.body.attachments[0].url));
    assert.equal(served.status, 200);
    assert.equal(await served.text(), 'kept');
  });

  test('the caller’s own user object announces their upload limit', async () => {
    const u = await h.register();
    const me = await h.api('GET', '/users/@me', { token: u.token });
    assert.equal(me.body.upload_limit, 25 * 1024 * 1024);
    await h.app.database.db.update(users).set({ uploadLimit: 1000 }).where(eq(users.id, u.id));
    assert.equal((await h.api('GET', '/users/@me', { token: u.token })).body.upload_limit, 1000);
    const other = await h.api('GET', `/users/${u.id}`, { token: (await h.register()).token });
    assert.equal(other.body.upload_limit, undefined, 'nobody else sees it');
  });

  test('uploads never used are swept with their bytes', async () => {
    const g = await createGuild(h);
    const before = storedFiles().length;
    const name = await uploaded(g.owner, g.textChannelId, 'left.txt', 'forgotten');
    assert.equal(storedFiles().length, before + 1);
    const id = name.split('/')[0];
    await h.app.database.db
      .update(cloudUploads)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(cloudUploads.id, id));
    assert.equal(await h.app.services.messages.cloudUploads.sweep(), 1);
    assert.equal(storedFiles().length, before);
    const late = await h.api('POST', `/channels/${g.textChannelId}/messages`, {
      token: g.owner.token,
      body: { attachments: [{ id: '0', uploaded_filename: name }] },
    });
    assert.equal(late.body.code, 50146);
  });
});
