import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { imageLane } from '../../src/media/image-lane';
import { createGuild, join } from '../guild-helpers';
import { startHearth, type TestServer, type TestUser } from '../harness';
import { bombGif, bombWebp, dataUri } from '../image-bombs';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

/** The issue's bomb: 7 KB, a 7000×7000 screen and 300 frames of 1×1 (23 s of work per avatar before the fix). */
const issueBomb = () => dataUri('image/gif', bombGif({ width: 7000, height: 7000, frames: 300 }));

function assertPixelError(res: { status: number; body: any }, field: string) {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.code, 50035);
  const [error] = res.body.errors[field]._errors;
  assert.equal(error.code, 'IMAGE_INVALID');
  assert.match(error.message, /too many pixels/);
}

describe('image bombs', () => {
  test('avatars and banners over the pixel budget are a 400 on their field and change nothing', async () => {
    const a = await h.register();
    const webpBomb = dataUri('image/webp', await bombWebp({ width: 7000, height: 7000, frames: 200 }));
    for (const [field, image] of [
      ['avatar', issueBomb()],
      ['banner', issueBomb()],
      ['avatar', webpBomb],
    ] as const) {
      const res = await h.api('PATCH', '/users/@me', { token: a.token, body: { [field]: image } });
      assertPixelError(res, field);
    }
    const me = await h.api('GET', '/users/@me', { token: a.token });
    assert.equal(me.body.avatar, null);
    assert.equal(me.body.banner, null);
  });

  test('guild icons, member avatars and emojis refuse the bomb the same way', async () => {
    const g = await createGuild(h);
    const m = await join(h, g);
    assertPixelError(
      await h.api('PATCH', `/guilds/${g.id}`, { token: g.owner.token, body: { icon: issueBomb() } }),
      'icon',
    );
    assertPixelError(
      await h.api('PATCH', `/guilds/${g.id}/members/@me`, { token: m.token, body: { avatar: issueBomb() } }),
      'avatar',
    );
    const small = dataUri('image/gif', bombGif({ width: 1, height: 1, frames: 1001 }));
    assertPixelError(
      await h.api('POST', `/guilds/${g.id}/emojis`, {
        token: g.owner.token,
        body: { name: 'bomb', image: small },
      }),
      'image',
    );
    const emojis = await h.api('GET', `/guilds/${g.id}/emojis`, { token: g.owner.token });
    assert.deepEqual(emojis.body, []);
  });

  test('an animated avatar within the budget stays animated and is not enlarged', async () => {
    const a = await h.register();
    const raw = Buffer.alloc(24 * 16 * 3 * 12);
    for (let f = 0; f < 12; f++) raw.fill(f * 20, f * 24 * 16 * 3, (f + 1) * 24 * 16 * 3);
    const gif = await sharp(raw, { raw: { width: 24, height: 16 * 12, channels: 3, pageHeight: 16 } })
      .gif()
      .toBuffer();
    const res = await h.api('PATCH', '/users/@me', {
      token: a.token,
      body: { avatar: dataUri('image/gif', gif) },
    });
    assert.equal(res.status, 200, res.text);
    assert.match(res.body.avatar, /^a_[0-9a-f]{32}$/);
    const file = await fetch(`${h.url}/avatars/${a.id}/${res.body.avatar}.webp`);
    assert.equal(file.status, 200);
    const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
    assert.equal(meta.pages, 12);
    assert.deepEqual([meta.width, meta.height], [16, 16], 'cropped square at the source size');
  });

  test('as an attachment the bomb is stored without a preview; the message is posted', async () => {
    const g = await createGuild(h);
    const bomb = bombGif({ width: 7000, height: 7000, frames: 300, cornerFirst: true });
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#246' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'two images' }));
    form.append('files[0]', new Blob([bomb as BlobPart]), 'bomb.gif');
    form.append('files[1]', new Blob([photo as BlobPart]), 'photo.png');
    const res = await fetch(`${h.url}/api/v10/channels/${g.textChannelId}/messages`, {
      method: 'POST',
      headers: { authorization: g.owner.token },
      body: form,
    });
    assert.equal(res.status, 200);
    const [stored, normal] = (await res.json()).attachments;
    assert.equal(stored.content_type, 'image/gif');
    assert.equal(stored.size, bomb.length);
    assert.equal(stored.width, undefined, 'not measured, as for files that are not previewable');
    assert.equal(stored.proxy_url, stored.url, 'no preview');
    const file = await fetch(stored.url.replace('http://hearth.test', h.url));
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), bomb, 'the file itself is kept as sent');
    assert.deepEqual([normal.width, normal.height], [64, 48]);
    assert.notEqual(normal.proxy_url, normal.url, 'a normal image still has its preview');
  });
});

describe('the image lane', () => {
  test('when it is full, image uploads get a 503 at once and logins are still answered', async () => {
    const { concurrency, maxWaiting } = imageLane.options;
    const users: TestUser[] = [];
    for (let i = 0; i < concurrency + maxWaiting + 3; i++) users.push(await h.register());
    const loginAs = await h.register();
    // Within the budget but slow: one 4000×4000 frame to decode for each avatar.
    const heavy = dataUri('image/gif', bombGif({ width: 4000, height: 4000, frames: 1, cornerFirst: true }));
    const uploads = users.map((u) =>
      h.api('PATCH', '/users/@me', { token: u.token, body: { avatar: heavy } }),
    );
    const deadline = Date.now() + 60_000;
    while (imageLane.load.waiting < maxWaiting) {
      if (Date.now() > deadline) assert.fail('the image lane never filled up');
      await new Promise((r) => setTimeout(r, 5));
    }

    const login = await h.api('POST', '/auth/login', {
      body: { login: loginAs.username, password: loginAs.password },
    });
    const load = imageLane.load;
    assert.equal(login.status, 200, login.text);
    assert.ok(load.running + load.waiting > 0, 'the login was answered while image work was still queued');

    const answers = await Promise.all(uploads);
    const refused = answers.filter((r) => r.status === 503);
    assert.ok(refused.length >= 3, `${refused.length} refused`);
    for (const r of refused) {
      assert.equal(r.body.code, 0);
      assert.match(r.body.message, /busy/);
      assert.equal(r.headers.get('retry-after'), '5');
    }
    // The others were processed (on a slow machine a queued one may also time out waiting: 503 too).
    assert.ok(answers.every((r) => r.status === 200 || r.status === 503));
    assert.ok(answers.some((r) => r.status === 200));
  });
});
