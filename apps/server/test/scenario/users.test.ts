import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { startHearth, type TestServer, tokenFromMail } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

async function pngDataUri(width = 64, height = 64): Promise<string> {
  const png = await sharp({ create: { width, height, channels: 4, background: '#ff6600' } })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

describe('user objects', () => {
  test('anyone signed in sees only public fields of another user', async () => {
    const a = await h.register();
    const b = await h.register();
    const res = await h.api('GET', `/users/${a.id}`, { token: b.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, a.id);
    assert.equal(res.body.username, a.username);
    assert.equal(res.body.discriminator, '0');
    for (const hidden of ['email', 'verified', 'settings', 'locale', 'mfa_enabled', 'password_hash'])
      assert.equal(hidden in res.body, false, hidden);
  });

  test('unknown users are 404, bad ids 400, and the route needs a token', async () => {
    const a = await h.register();
    const unknown = await h.api('GET', '/users/123456789012345678', { token: a.token });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 10013);
    assert.equal((await h.api('GET', '/users/not-a-snowflake', { token: a.token })).status, 400);
    assert.equal((await h.api('GET', `/users/${a.id}`)).status, 401);
  });
});

describe('PATCH /users/@me', () => {
  test('changes the profile fields and publishes USER_UPDATE', async () => {
    const a = await h.register();
    const res = await h.api('PATCH', '/users/@me', {
      token: a.token,
      body: { global_name: 'Ada L.', bio: 'Poetical science', accent_color: 0x336699 },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.global_name, 'Ada L.');
    assert.equal(res.body.bio, 'Poetical science');
    assert.equal(res.body.accent_color, 0x336699);
    const seen = await h.api('GET', `/users/${a.id}`, { token: a.token });
    assert.equal(seen.body.global_name, 'Ada L.');
    assert.ok(h.events.some((e) => e.t === 'USER_UPDATE' && (e.d as any).global_name === 'Ada L.'));
    const cleared = await h.api('PATCH', '/users/@me', {
      token: a.token,
      body: { global_name: null, accent_color: null },
    });
    assert.equal(cleared.body.global_name, null);
    assert.equal(cleared.body.accent_color, null, 'null clears; it is not coerced to 0');
  });

  test('renames only to a free username', async () => {
    const a = await h.register();
    const b = await h.register();
    const taken = await h.api('PATCH', '/users/@me', { token: a.token, body: { username: b.username } });
    assert.equal(taken.status, 400);
    assert.equal(taken.body.errors.username._errors[0].code, 'USERNAME_ALREADY_TAKEN');
    const fresh = `${a.username}_x`.slice(0, 32);
    const ok = await h.api('PATCH', '/users/@me', { token: a.token, body: { username: fresh } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.username, fresh);
    assert.equal(
      (await h.api('POST', '/auth/login', { body: { login: fresh, password: a.password } })).status,
      200,
    );
  });

  test('rejects invalid values with field errors and changes nothing', async () => {
    const a = await h.register();
    const bad = [
      { accent_color: 0x1000000 },
      { accent_color: -1 },
      { bio: 'x'.repeat(191) },
      { global_name: 'x'.repeat(33) },
      { username: 'UPPER' },
      { avatar: 'data:image/png;base64,not-really-an-image' },
      { avatar: 'https://example.test/a.png' },
    ];
    for (const body of bad) {
      const res = await h.api('PATCH', '/users/@me', { token: a.token, body });
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(res.body.code, 50035);
    }
    const me = await h.api('GET', '/users/@me', { token: a.token });
    assert.equal(me.body.accent_color, null);
    assert.equal(me.body.avatar, null);
    assert.equal((await h.api('PATCH', '/users/@me', { body: { bio: 'x' } })).status, 401);
  });

  test('an avatar is re-encoded, served at a stable URL, and can be cleared', async () => {
    const a = await h.register();
    const res = await h.api('PATCH', '/users/@me', {
      token: a.token,
      body: { avatar: await pngDataUri(300, 200) },
    });
    assert.equal(res.status, 200);
    assert.match(res.body.avatar, /^[0-9a-f]{32}$/);
    const file = await fetch(`${h.url}/avatars/${a.id}/${res.body.avatar}.png`);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
    const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
    assert.equal(meta.width, meta.height, 'cropped square');
    const missing = await fetch(`${h.url}/avatars/${a.id}/${'0'.repeat(32)}.png`);
    assert.equal(missing.status, 404);

    const banner = await h.api('PATCH', '/users/@me', {
      token: a.token,
      body: { banner: await pngDataUri() },
    });
    assert.match(banner.body.banner, /^[0-9a-f]{32}$/);
    assert.equal((await fetch(`${h.url}/banners/${a.id}/${banner.body.banner}.png`)).status, 200);

    const cleared = await h.api('PATCH', '/users/@me', { token: a.token, body: { avatar: null } });
    assert.equal(cleared.body.avatar, null);
  });

  test('a file that is not the image it claims is refused', async () => {
    const a = await h.register();
    const gif = Buffer.from('GIF89a fake').toString('base64');
    const res = await h.api('PATCH', '/users/@me', {
      token: a.token,
      body: { avatar: `data:image/png;base64,${gif}` },
    });
    assert.equal(res.status, 400);
    assert.ok(res.body.errors.avatar);
  });

  test('changing email needs the password, unverifies and mails a new link', async () => {
    const a = await h.register();
    await h.api('POST', '/auth/verify', { body: { token: tokenFromMail(await h.mailTo(a.email)) } });
    const noPw = await h.api('PATCH', '/users/@me', { token: a.token, body: { email: 'new@example.test' } });
    assert.equal(noPw.status, 400);
    const res = await h.api('PATCH', '/users/@me', {
      token: a.token,
      body: { email: 'new@example.test', password: a.password },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.email, 'new@example.test');
    assert.equal(res.body.verified, false);
    const token = tokenFromMail(await h.mailTo('new@example.test'));
    assert.equal((await h.api('POST', '/auth/verify', { body: { token } })).status, 204);
    assert.equal((await h.api('GET', '/users/@me', { token: a.token })).body.verified, true);
  });
});

describe('user settings', () => {
  test('a versioned document: stale versions get 409 and change nothing', async () => {
    const a = await h.register();
    const start = await h.api('GET', '/users/@me/settings', { token: a.token });
    assert.deepEqual(start.body, { version: 0, settings: {} });

    const v1 = await h.api('PATCH', '/users/@me/settings', {
      token: a.token,
      body: { version: 0, settings: { theme: 'dark', locale: 'fr' } },
    });
    assert.equal(v1.status, 200);
    assert.deepEqual(v1.body, { version: 1, settings: { theme: 'dark', locale: 'fr' } });

    const stale = await h.api('PATCH', '/users/@me/settings', {
      token: a.token,
      body: { version: 0, settings: { theme: 'light' } },
    });
    assert.equal(stale.status, 409);
    assert.equal((await h.api('GET', '/users/@me/settings', { token: a.token })).body.settings.theme, 'dark');

    const v2 = await h.api('PATCH', '/users/@me/settings', {
      token: a.token,
      body: { version: 1, settings: { locale: null, compact: true } },
    });
    assert.deepEqual(v2.body, { version: 2, settings: { theme: 'dark', compact: true } });
    assert.ok(h.events.some((e) => e.t === 'USER_SETTINGS_UPDATE' && e.topic === `user:${a.id}`));
  });

  test('concurrent writers based on the same version: exactly one wins', async () => {
    const a = await h.register();
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        h.api('PATCH', '/users/@me/settings', { token: a.token, body: { version: 0, settings: { n } } }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409, 409]);
    assert.equal((await h.api('GET', '/users/@me/settings', { token: a.token })).body.version, 1);
  });

  test('oversized or malformed settings are refused; other users cannot read them', async () => {
    const a = await h.register();
    const big = await h.api('PATCH', '/users/@me/settings', {
      token: a.token,
      body: { version: 0, settings: { blob: 'x'.repeat(70_000) } },
    });
    assert.equal(big.status, 400);
    const noVersion = await h.api('PATCH', '/users/@me/settings', { token: a.token, body: { settings: {} } });
    assert.equal(noVersion.status, 400);
    assert.equal((await h.api('GET', '/users/@me/settings')).status, 401);
  });
});
