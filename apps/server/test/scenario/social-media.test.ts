import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRestAPIClient, MastoHttpError } from 'masto';
import sharp from 'sharp';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { mastodon } from '../social-helpers';

// Media attachments of the Mastodon client API (ADR 0033): upload, alt text and focus, attaching to statuses,
// serving by visibility, deletion, expiry, the media library and the default avatar and header.

let h: TestServer;
let m: ReturnType<typeof mastodon>;
let jpeg: Buffer;
let png: Buffer;
before(async () => {
  h = await startHearth();
  m = mastodon(h);
  // A photo with camera metadata (EXIF) that must not be served.
  jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3366aa' } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'secret place', Model: 'Camera' } })
    .toBuffer();
  png = await sharp({ create: { width: 300, height: 200, channels: 4, background: '#ff0000' } })
    .png()
    .toBuffer();
});
after(() => h.close());

/** A multipart upload as Mastodon clients send it. */
async function upload(
  user: TestUser | null,
  file: Buffer | null,
  fields: Record<string, string> = {},
  opts: { version?: 'v1' | 'v2'; name?: string } = {},
) {
  const form = new FormData();
  if (file) form.append('file', new Blob([new Uint8Array(file)]), opts.name ?? 'photo.jpg');
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${h.url}/api/${opts.version ?? 'v2'}/media`, {
    method: 'POST',
    headers: user ? { authorization: `Bearer ${user.token}` } : {},
    body: form,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

/** Fetches a URL Hearth handed out (it names the public URL, http://hearth.test). */
async function fetchMedia(url: string) {
  const res = await fetch(url.replace('http://hearth.test', h.url));
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    res,
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

const unsigned = (url: string) => url.split('?')[0];
const mp4 = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypmp42'),
  Buffer.alloc(16, 1),
  Buffer.alloc(4096, 7),
]);

describe('media attachments', () => {
  test('an image upload: processed, metadata stripped, a small version, blurhash, alt text and focus; owner only', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const res = await upload(a, jpeg, { description: 'A blue square', focus: '0.5,-0.25' });
    assert.equal(res.status, 200, res.text);
    const media = res.body;
    assert.match(media.id, /^\d+$/);
    assert.equal(media.type, 'image');
    assert.equal(media.description, 'A blue square');
    assert.deepEqual(media.meta.focus, { x: 0.5, y: -0.25 });
    assert.deepEqual(media.meta.original, { width: 1200, height: 800, size: '1200x800', aspect: 1.5 });
    assert.equal(media.meta.small.width, 640);
    assert.equal(typeof media.blurhash, 'string');
    assert.equal(media.remote_url, null);
    assert.equal(media.text_url, null);
    // Not attached yet: its URLs are signed, and the bare path is nothing.
    assert.match(media.url, /\/media_attachments\/\d+\/\d+\/original\.jpg\?ex=[0-9a-f]+&hm=[0-9a-f]{32}$/);
    const original = await fetchMedia(media.url);
    assert.equal(original.status, 200);
    assert.equal(original.type, 'image/jpeg');
    assert.equal(original.res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await sharp(original.bytes).metadata()).exif, undefined, 'no EXIF served');
    const small = await fetchMedia(media.preview_url);
    assert.equal(small.status, 200);
    assert.equal(small.type, 'image/webp');
    assert.equal((await fetchMedia(unsigned(media.url))).status, 404);
    assert.equal((await fetchMedia(`${unsigned(media.url)}?ex=ffffffff&hm=${'0'.repeat(32)}`)).status, 404);

    // The owner reads and changes it; anyone else learns nothing.
    assert.equal((await m('GET', `/api/v1/media/${media.id}`, a)).body.description, 'A blue square');
    assert.equal((await m('GET', `/api/v1/media/${media.id}`, b)).status, 404);
    assert.equal((await m('GET', `/api/v1/media/${media.id}`)).status, 401);
    assert.equal((await m('PUT', `/api/v1/media/${media.id}`, b, { description: 'mine' })).status, 404);
    assert.equal((await m('DELETE', `/api/v1/media/${media.id}`, b)).status, 404);
    const put = await m('PUT', `/api/v1/media/${media.id}`, a, { description: 'Blue', focus: '0,0' });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.description, 'Blue');
    assert.deepEqual(put.body.meta.focus, { x: 0, y: 0 });

    // v1 (deprecated, still used) answers the same way.
    const v1 = await upload(a, png, {}, { version: 'v1', name: 'x.png' });
    assert.equal(v1.status, 200, v1.text);
    assert.equal(v1.body.type, 'image');
    assert.equal(v1.body.description, null);
    // A video is stored as uploaded: no small version.
    const video = await upload(a, mp4, {}, { name: 'clip.mp4' });
    assert.equal(video.status, 200, video.text);
    assert.equal(video.body.type, 'video');
    assert.equal(video.body.preview_url, null);
    assert.equal((await fetchMedia(video.body.url)).type, 'video/mp4');
    // An upload nobody uses can be deleted; its files go with it.
    assert.equal((await m('DELETE', `/api/v1/media/${v1.body.id}`, a)).status, 200);
    assert.equal((await fetchMedia(v1.body.url)).status, 404);
    assert.equal((await m('GET', `/api/v1/media/${v1.body.id}`, a)).status, 404);
  });

  test('bad uploads: signed out, no file, wrong type, too big, a pixel bomb, long alt text, bad focus', async () => {
    const a = await h.register();
    assert.equal((await upload(null, png)).status, 401);
    const none = await upload(a, null, { description: 'x' });
    assert.equal(none.status, 422);
    assert.match(none.body.error, /File can't be blank/);
    assert.equal((await m('POST', '/api/v2/media', a, { description: 'x' })).status, 422);
    const text = await upload(a, Buffer.from('just some text'), {}, { name: 'a.png' });
    assert.equal(text.status, 422);
    assert.match(text.body.error, /content type/);
    const big = await upload(a, Buffer.concat([png, Buffer.alloc(10 * 1024 * 1024)]));
    assert.equal(big.status, 413);
    // A PNG whose header declares 20000×20000 pixels: refused from the header, never decoded.
    const bomb = Buffer.from(png);
    bomb.writeUInt32BE(20000, 16);
    bomb.writeUInt32BE(20000, 20);
    const refused = await upload(a, bomb);
    assert.equal(refused.status, 422);
    assert.match(refused.body.error, /too many pixels/);
    const long = await upload(a, png, { description: 'x'.repeat(1501) });
    assert.equal(long.status, 422);
    assert.match(long.body.error, /Description is too long/);
    assert.equal((await upload(a, png, { description: '😀'.repeat(1500) })).status, 200);
    for (const focus of ['2,0', 'a,b', '0.5'])
      assert.equal((await upload(a, png, { focus })).status, 422, focus);
    // Nothing refused stayed in the library.
    const library = await m('GET', '/api/v1/hearth/media', a);
    assert.equal(library.body.length, 1);
  });

  test('statuses with media: order, rules, someone else’s id, visibility of the files, edit history, deletion', async () => {
    const [a, b, c] = [await h.register(), await h.register(), await h.register()];
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await upload(a, png, { description: `img ${i}` })).body.id);
    const video = (await upload(a, mp4)).body.id;
    const theirs = (await upload(b, png)).body.id;

    const five = await m('POST', '/api/v1/statuses', a, { status: 'x', media_ids: ids });
    assert.equal(five.status, 422);
    const mixed = await m('POST', '/api/v1/statuses', a, { status: 'x', media_ids: [ids[0], video] });
    assert.equal(mixed.status, 422);
    const other = await m('POST', '/api/v1/statuses', a, { status: 'x', media_ids: [ids[0], theirs] });
    const missing = await m('POST', '/api/v1/statuses', a, {
      status: 'x',
      media_ids: ['123456789012345678'],
    });
    const junk = await m('POST', '/api/v1/statuses', a, { status: 'x', media_ids: ['abc'] });
    assert.equal(other.status, 422);
    // Someone else's upload and one that does not exist answer alike.
    assert.deepEqual(other.body, missing.body);
    assert.deepEqual(junk.body, missing.body);
    // Nothing was attached by the refused requests: b's upload is still b's to use.
    assert.equal((await m('PUT', `/api/v1/media/${theirs}`, b, { description: 'still mine' })).status, 200);

    // Media without text is a status; order is kept.
    const res = await m('POST', '/api/v1/statuses', a, {
      media_ids: [ids[2], ids[0]],
      sensitive: true,
      spoiler_text: 'red',
    });
    assert.equal(res.status, 200, res.text);
    const s = res.body;
    assert.deepEqual(
      s.media_attachments.map((x: any) => x.id),
      [ids[2], ids[0]],
    );
    assert.equal(s.sensitive, true);
    assert.equal(s.spoiler_text, 'red');
    assert.equal(s.media_attachments[0].description, 'img 2');
    // Public: plain, stable URLs anyone may fetch.
    const publicUrl = s.media_attachments[0].url;
    assert.ok(!publicUrl.includes('?'));
    assert.equal((await fetchMedia(publicUrl)).status, 200);
    // Attached: no longer editable through /media, nor attachable elsewhere, nor deletable.
    assert.equal((await m('PUT', `/api/v1/media/${ids[0]}`, a, { description: 'y' })).status, 404);
    assert.equal(
      (await m('POST', '/api/v1/statuses', a, { status: 'again', media_ids: [ids[0]] })).status,
      422,
    );
    assert.equal((await m('DELETE', `/api/v1/media/${ids[0]}`, a)).status, 422);

    // only_media finds it and not text-only statuses.
    await m('POST', '/api/v1/statuses', a, { status: 'text only' });
    const onlyMedia = await m('GET', `/api/v1/accounts/${a.id}/statuses?only_media=true`);
    assert.deepEqual(
      onlyMedia.body.map((x: any) => x.id),
      [s.id],
    );
    const publicMedia = await m('GET', '/api/v1/timelines/public?only_media=true&limit=40');
    assert.ok(publicMedia.body.some((x: any) => x.id === s.id));
    assert.ok(publicMedia.body.every((x: any) => x.media_attachments.length > 0));

    // Edit: another image replaces one; the history keeps what each version had; alt text through media_attributes.
    const edited = await m('PUT', `/api/v1/statuses/${s.id}`, a, {
      status: 'now with words',
      media_ids: [ids[2], ids[1]],
      media_attributes: [{ id: ids[2], description: 'changed', focus: '0.1,0.2' }],
    });
    assert.equal(edited.status, 200, edited.text);
    assert.deepEqual(
      edited.body.media_attachments.map((x: any) => [x.id, x.description]),
      [
        [ids[2], 'changed'],
        [ids[1], 'img 1'],
      ],
    );
    const history = (await m('GET', `/api/v1/statuses/${s.id}/history`)).body;
    assert.deepEqual(
      history.map((v: any) => v.media_attachments.map((x: any) => x.id)),
      [
        [ids[2], ids[0]],
        [ids[2], ids[1]],
      ],
    );
    // Kept (without media_ids the attachments stay), or all removed with an empty list while text remains.
    const kept = await m('PUT', `/api/v1/statuses/${s.id}`, a, { status: 'words' });
    assert.equal(kept.body.media_attachments.length, 2);
    assert.equal((await m('PUT', `/api/v1/statuses/${s.id}`, a, { status: '', media_ids: [] })).status, 422);
    // Someone else's upload cannot be edited in either.
    assert.equal(
      (await m('PUT', `/api/v1/statuses/${s.id}`, a, { status: 'w', media_ids: [theirs] })).status,
      422,
    );

    // Followers-only: signed URLs; an outsider cannot fetch the file without the signature, a follower gets them.
    await m('POST', `/api/v1/accounts/${a.id}/follow`, b);
    const priv = await m('POST', '/api/v1/statuses', a, {
      status: 'friends only',
      visibility: 'private',
      media_ids: [ids[3]],
    });
    assert.equal(priv.status, 200, priv.text);
    const signedUrl = priv.body.media_attachments[0].url;
    assert.match(signedUrl, /\?ex=/);
    assert.equal((await fetchMedia(unsigned(signedUrl))).status, 404);
    assert.equal((await fetchMedia(unsigned(priv.body.media_attachments[0].preview_url))).status, 404);
    const seenByFollower = await m('GET', `/api/v1/statuses/${priv.body.id}`, b);
    assert.equal((await fetchMedia(seenByFollower.body.media_attachments[0].url)).status, 200);
    assert.equal((await m('GET', `/api/v1/statuses/${priv.body.id}`, c)).status, 404);
    const outsiderMedia = await m('GET', `/api/v1/accounts/${a.id}/statuses?only_media=true`, c);
    assert.deepEqual(
      outsiderMedia.body.map((x: any) => x.id),
      [s.id],
    );

    // Deleting the status deletes its media, edited-out ones included: no file is served after.
    const del = await m('DELETE', `/api/v1/statuses/${s.id}`, a);
    assert.equal(del.status, 200);
    for (const url of [publicUrl, ...edited.body.media_attachments.map((x: any) => x.url)])
      assert.equal((await fetchMedia(url)).status, 404);
    for (const id of [ids[0], ids[1], ids[2]])
      assert.equal((await m('GET', `/api/v1/media/${id}`, a)).status, 404);
  });

  test('unattached uploads expire after a day (the hourly job); attached ones stay', async () => {
    const a = await h.register();
    const loose = (await upload(a, png)).body;
    const used = (await upload(a, png)).body;
    await m('POST', '/api/v1/statuses', a, { status: 'x', media_ids: [used.id] });
    const media = h.app.services.social.media;
    assert.equal(await media.expireUnattached(new Date(Date.now() + 60 * 60 * 1000)), 0);
    assert.ok((await media.expireUnattached(new Date(Date.now() + 25 * 60 * 60 * 1000))) >= 1);
    assert.equal((await m('GET', `/api/v1/media/${loose.id}`, a)).status, 404);
    assert.equal((await fetchMedia(loose.url)).status, 404);
    assert.equal((await m('GET', `/api/v1/media/${used.id}`, a)).status, 200);
  });

  test('the media library lists one’s own uploads, newest first, with Link paging', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await upload(a, png)).body.id);
    await upload(b, png);
    const used = await m('POST', '/api/v1/statuses', a, { status: 'x', media_ids: [ids[0]] });
    const page = await m('GET', '/api/v1/hearth/media?limit=2', a);
    assert.equal(page.status, 200);
    assert.deepEqual(
      page.body.map((x: any) => x.id),
      [ids[2], ids[1]],
    );
    assert.match(page.headers.get('link') ?? '', /max_id=/);
    const rest = await m('GET', `/api/v1/hearth/media?max_id=${ids[1]}`, a);
    assert.deepEqual(
      rest.body.map((x: any) => [x.id, x.status_id]),
      [[ids[0], used.body.id]],
    );
    assert.equal((await m('GET', '/api/v1/hearth/media')).status, 401);
  });

  test('the library edits alt text of an attached upload too, and tells the status’s readers', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const id = (await upload(a, png)).body.id;
    const s = (await m('POST', '/api/v1/statuses', a, { status: 'alt', media_ids: [id] })).body;
    // Mastodon's own route stops at attachment; the library's does not.
    assert.equal((await m('PUT', `/api/v1/media/${id}`, a, { description: 'no' })).status, 404);
    assert.equal((await m('PUT', `/api/v1/hearth/media/${id}`, b, { description: 'theirs' })).status, 404);
    assert.equal((await m('PUT', `/api/v1/hearth/media/${id}`, null, { description: 'x' })).status, 401);
    assert.equal(
      (await m('PUT', `/api/v1/hearth/media/${id}`, a, { description: 'x'.repeat(10_000) })).status,
      400,
    );
    const edited = await m('PUT', `/api/v1/hearth/media/${id}`, a, { description: 'A red kiln at dusk' });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.body.description, 'A red kiln at dusk');
    assert.equal(edited.body.status_id, s.id);
    assert.equal(edited.body.references, 1);
    const seen = (await m('GET', `/api/v1/statuses/${s.id}`, b)).body;
    assert.equal(seen.media_attachments[0].description, 'A red kiln at dusk');
    const update: any = h.events.findLast((e) => e.t === 'SOCIAL_STATUS_UPDATE' && (e.d as any).id === s.id);
    assert.equal(update.d.status.media_attachments[0].description, 'A red kiln at dusk');
    const loose = (await upload(a, png)).body.id;
    const library = (await m('GET', '/api/v1/hearth/media', a)).body;
    assert.deepEqual(
      library.map((x: any) => [x.id, x.references]),
      [
        [loose, 0],
        [id, 1],
      ],
    );
  });

  test('the library’s trash: hidden from its status and from outsiders, restored, or deleted for good', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const ids = [(await upload(a, png)).body.id, (await upload(a, png)).body.id];
    const s = (await m('POST', '/api/v1/statuses', a, { status: 'two', media_ids: ids })).body;
    const publicUrl = s.media_attachments[0].url;
    assert.equal((await m('POST', `/api/v1/hearth/media/${ids[0]}/trash`, b)).status, 404);
    assert.equal((await m('POST', `/api/v1/hearth/media/${ids[0]}/trash`)).status, 401);
    const trashed = await m('POST', `/api/v1/hearth/media/${ids[0]}/trash`, a);
    assert.equal(trashed.status, 200, trashed.text);
    // The status's readers are told: an update without the trashed attachment.
    const update: any = h.events.findLast((e) => e.t === 'SOCIAL_STATUS_UPDATE' && (e.d as any).id === s.id);
    assert.ok(update);
    assert.deepEqual(
      update.d.status.media_attachments.map((x: any) => x.id),
      [ids[1]],
    );
    // Gone from the status and the library's main list; its public URL no longer answers; the trash lists it.
    const seen = (await m('GET', `/api/v1/statuses/${s.id}`, b)).body;
    assert.deepEqual(
      seen.media_attachments.map((x: any) => x.id),
      [ids[1]],
    );
    assert.equal((await fetchMedia(publicUrl)).status, 404);
    assert.ok(!(await m('GET', '/api/v1/hearth/media', a)).body.some((x: any) => x.id === ids[0]));
    const trash = (await m('GET', '/api/v1/hearth/media?trash=true', a)).body;
    assert.deepEqual(
      trash.map((x: any) => x.id),
      [ids[0]],
    );
    assert.match(trash[0].trashed_at, /^\d{4}-/);
    // What is in the trash cannot be posted; only what is in the trash can be deleted for good.
    assert.equal((await m('POST', '/api/v1/statuses', a, { status: 'x', media_ids: [ids[0]] })).status, 422);
    assert.equal((await m('DELETE', `/api/v1/hearth/media/${ids[1]}`, a)).status, 422);
    // Restored: back on its status, in its place.
    assert.equal((await m('POST', `/api/v1/hearth/media/${ids[0]}/restore`, a)).status, 200);
    assert.deepEqual(
      (await m('GET', `/api/v1/statuses/${s.id}`, b)).body.media_attachments.map((x: any) => x.id),
      ids,
    );
    assert.equal((await fetchMedia(publicUrl)).status, 200);
    // Deleted for good from the trash: off the status, files gone.
    await m('POST', `/api/v1/hearth/media/${ids[0]}/trash`, a);
    assert.equal((await m('DELETE', `/api/v1/hearth/media/${ids[0]}`, b)).status, 404);
    assert.equal((await m('DELETE', `/api/v1/hearth/media/${ids[0]}`, a)).status, 200);
    assert.equal((await m('GET', `/api/v1/media/${ids[0]}`, a)).status, 404);
    assert.equal((await m('GET', '/api/v1/hearth/media?trash=true', a)).body.length, 0);
    assert.deepEqual(
      (await m('GET', `/api/v1/statuses/${s.id}`)).body.media_attachments.map((x: any) => x.id),
      [ids[1]],
    );
    assert.equal((await m('POST', `/api/v1/hearth/media/${ids[0]}/restore`, a)).status, 404);
  });

  test('the instance advertises the limits; accounts without images get the default avatar and header', async () => {
    const v2 = (await m('GET', '/api/v2/instance')).body.configuration;
    assert.equal(v2.statuses.max_media_attachments, 4);
    assert.equal(v2.media_attachments.description_limit, 1500);
    assert.ok(v2.media_attachments.supported_mime_types.includes('image/jpeg'));
    assert.ok(v2.media_attachments.image_size_limit > 0);
    const v1 = (await m('GET', '/api/v1/instance')).body.configuration;
    assert.equal(v1.media_attachments.video_size_limit, v2.media_attachments.video_size_limit);

    const a = await h.register();
    const account = (await m('GET', `/api/v1/accounts/${a.id}`)).body;
    for (const url of [account.avatar, account.header, account.avatar_static, account.header_static]) {
      const res = await fetchMedia(url);
      assert.equal(res.status, 200, url);
      assert.equal(res.type, 'image/png');
      assert.ok((await sharp(res.bytes).metadata()).width);
    }
  });

  test('masto.js: v2.media.create with alt text and focus, a status with mediaIds, bad ids refused', async () => {
    const [a, b] = [await h.register(), await h.register()];
    const client = createRestAPIClient({ url: h.url, accessToken: a.token });
    const other = createRestAPIClient({ url: h.url, accessToken: b.token });
    const media = await client.v2.media.create({
      file: new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }),
      description: 'From masto',
      focus: '-0.5,0.5',
    });
    assert.equal(media.type, 'image');
    assert.equal(media.description, 'From masto');
    assert.ok(media.url && media.previewUrl);
    const updated = await client.v1.media.$select(media.id).update({ description: 'From masto.js' });
    assert.equal(updated.description, 'From masto.js');
    const status = await client.v1.statuses.create({
      status: 'with a photo',
      mediaIds: [media.id],
      sensitive: true,
      spoilerText: 'blue',
    });
    assert.deepEqual(
      status.mediaAttachments.map((x) => [x.id, x.description]),
      [[media.id, 'From masto.js']],
    );
    const fetched = await other.v1.statuses.$select(status.id).fetch();
    assert.equal(fetched.mediaAttachments[0].url, status.mediaAttachments[0].url);
    const [onlyMedia] = await other.v1.accounts.$select(a.id).statuses.list({ onlyMedia: true });
    assert.equal(onlyMedia.id, status.id);
    // b cannot post a's upload, nor read or change it.
    const theirs = await client.v2.media.create({
      file: new Blob([new Uint8Array(png)], { type: 'image/png' }),
    });
    await assert.rejects(
      other.v1.statuses.create({ status: 'stolen', mediaIds: [theirs.id] }),
      (err) => err instanceof MastoHttpError && err.statusCode === 422,
    );
    await assert.rejects(
      other.v1.media.$select(theirs.id).fetch(),
      (err) => err instanceof MastoHttpError && err.statusCode === 404,
    );
    await assert.rejects(
      client.v1.statuses.create({ status: 'five', mediaIds: [theirs.id, '1', '2', '3', '4'] }),
      (err) => err instanceof MastoHttpError && err.statusCode === 422,
    );
  });
});
