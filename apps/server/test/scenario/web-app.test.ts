import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { startHearth, type TestServer } from '../harness';

// A stand-in build of the web app, so these tests do not depend on apps/web/dist being built.
const dist = mkdtempSync(join(tmpdir(), 'hearth-dist-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Hearth</title><div id="root"></div>');
const appJs = `console.log("app");\n${'export const padding = "compresses well";\n'.repeat(100)}`;
writeFileSync(join(dist, 'assets', 'index-AbC123.js'), appJs);
// What scripts/build-web.mjs leaves beside each text file.
writeFileSync(join(dist, 'assets', 'index-AbC123.js.br'), brotliCompressSync(appJs));
writeFileSync(join(dist, 'assets', 'index-AbC123.js.gz'), gzipSync(appJs));
writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');

let h: TestServer;
let bare: TestServer;
before(async () => {
  h = await startHearth({}, { webDir: dist });
  bare = await startHearth({}, { webDir: join(dist, 'missing') });
});
after(async () => {
  await h.close();
  await bare.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('the web app is served at /', () => {
  test('client routes, including the mailed links, answer index.html, never cached, with a strict CSP', async () => {
    for (const path of [
      '/',
      '/login',
      '/register',
      '/verify',
      '/reset-password',
      '/invite/abc',
      '/channels/@me',
      '/channels/1/2',
      '/settings/sessions',
      '/social',
      '/social/notifications',
      '/@alice',
      '/@alice/123',
      '/@alice/followers',
    ]) {
      const res = await h.api('GET', path, { root: true });
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(res.text, /<div id="root">/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    }
  });

  test('hashed assets are cached forever; other files for an hour', async () => {
    const js = await h.api('GET', '/assets/index-AbC123.js', { root: true });
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const icon = await h.api('GET', '/favicon.svg', { root: true });
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.equal(icon.headers.get('cache-control'), 'public, max-age=3600');
  });

  test('precompressed copies are served by Accept-Encoding (brotli first), with Vary: Accept-Encoding', async () => {
    const get = (acceptEncoding: string) =>
      fetch(`${h.url}/assets/index-AbC123.js`, { headers: { 'accept-encoding': acceptEncoding } });
    for (const [accept, expected] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip;q=0.5', 'gzip'],
      ['*', 'br'],
      ['identity', null],
      ['', null],
    ] as const) {
      const res = await get(accept);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-encoding'), expected, accept);
      assert.equal(res.headers.get('vary'), 'Accept-Encoding');
      // fetch decodes it: the same script either way.
      assert.equal(await res.text(), appJs);
    }
    const raw = await get('br');
    assert.ok(Number(raw.headers.get('content-length')) < appJs.length / 5, 'the compressed bytes went out');
    // Files the build did not compress go as they are.
    const icon = await fetch(`${h.url}/favicon.svg`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(icon.headers.get('content-encoding'), null);
    const br = await h.api('GET', '/assets/index-AbC123.js.br', { root: true });
    assert.equal(br.status, 404, 'the copies are not files of their own');
  });

  test('unknown files and paths stay 404; the API, docs and health are untouched', async () => {
    for (const path of ['/assets/missing.js', '/nope', '/.source-hash', '/api/v10/nothing']) {
      const res = await h.api('GET', path, { root: true });
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.body, { message: '404: Not Found', code: 0 });
    }
    assert.equal((await h.api('GET', '/health', { root: true })).body.status, 'ok');
    assert.equal((await h.api('GET', '/users/@me')).status, 401);
    assert.equal((await fetch(`${h.url}/api/docs/json`)).status, 200);
  });

  test('without a build, the app routes say how to build it', async () => {
    const res = await bare.api('GET', '/', { root: true });
    assert.equal(res.status, 503);
    assert.match(res.text, /not built/);
    assert.match(res.text, /\/api\/docs/);
  });
});
