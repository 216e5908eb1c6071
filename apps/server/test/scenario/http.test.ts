import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createGuild } from '../guild-helpers';
import { startHearth, type TestServer, testDb } from '../harness';

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

describe('errors are Discord-shaped and never 500', () => {
  test('unknown routes', async () => {
    for (const path of ['/api/v10/nope', '/api/v10/users/@me/nothing', '/definitely/missing']) {
      const res = await h.api('GET', path, { root: true });
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { message: '404: Not Found', code: 0 });
    }
  });

  test('malformed JSON', async () => {
    const res = await h.api('POST', '/auth/login', {
      raw: '{"login": "a", ',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 50109);
    const empty = await h.api('POST', '/auth/login', {
      raw: '',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(empty.status, 400);
    const array = await h.api('POST', '/auth/login', { body: [1, 2] });
    assert.equal(array.status, 400);
    assert.equal(array.body.code, 50035);
  });

  test('JSON nested deeper than 64 levels is refused (50109) on open and authenticated routes and in payload_json; 64 levels pass', async () => {
    const g = await createGuild(h);
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const deep = `{"login":"a","password":"b","x":${nested(20_000)}}`;
    const refused = { code: 50109, message: 'The request body contains invalid JSON.' };
    const json = { 'content-type': 'application/json' };
    const login = await h.api('POST', '/auth/login', { raw: deep, headers: json });
    assert.equal(login.status, 400);
    assert.deepEqual(login.body, refused);
    const patch = await h.api('PATCH', '/users/@me', { token: g.owner.token, raw: deep, headers: json });
    assert.equal(patch.status, 400);
    assert.deepEqual(patch.body, refused);
    const post = (raw: string) =>
      h.api('POST', `/channels/${g.textChannelId}/messages`, { token: g.owner.token, raw, headers: json });
    // An object holding 63 levels of arrays is 64 deep: the limit itself passes, one more does not.
    assert.equal((await post(`{"content":"at the limit","x":${nested(63)}}`)).status, 200);
    const over = await post(`{"content":"over the limit","x":${nested(64)}}`);
    assert.equal(over.status, 400);
    assert.deepEqual(over.body, refused);
    const form = (payload: string) => {
      const body = new FormData();
      body.append('payload_json', payload);
      return fetch(`${h.url}/api/v10/channels/${g.textChannelId}/messages`, {
        method: 'POST',
        headers: { authorization: g.owner.token },
        body,
      });
    };
    const multipart = await form(`{"content":"deep","x":${nested(20_000)}}`);
    assert.equal(multipart.status, 400);
    assert.deepEqual(await multipart.json(), refused);
    assert.equal((await form(`{"content":"at the limit","x":${nested(63)}}`)).status, 200);
    // A payload_json part declared application/json (discord.py sends it so) is parsed by the multipart plugin.
    const typedPart = (payload: string) =>
      fetch(`${h.url}/api/v10/channels/${g.textChannelId}/messages`, {
        method: 'POST',
        headers: { authorization: g.owner.token, 'content-type': 'multipart/form-data; boundary=deep' },
        body: `--deep\r\nContent-Disposition: form-data; name="payload_json"\r\nContent-Type: application/json\r\n\r\n${payload}\r\n--deep--\r\n`,
      });
    const typed = await typedPart(`{"content":"deep","x":${nested(20_000)}}`);
    assert.equal(typed.status, 400);
    assert.deepEqual(await typed.json(), refused);
    assert.equal((await typedPart(`{"content":"typed at the limit","x":${nested(63)}}`)).status, 200);
    const history = await h.api('GET', `/channels/${g.textChannelId}/messages`, { token: g.owner.token });
    assert.deepEqual(
      history.body.map((m: any) => m.content).filter((c: string) => c.includes('limit')),
      ['typed at the limit', 'at the limit', 'at the limit'],
    );
  });

  test('oversized bodies and unsupported content types', async () => {
    const big = await h.api('POST', '/auth/login', {
      raw: JSON.stringify({ login: 'x'.repeat(17 * 1024 * 1024), password: 'y' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(big.status, 413);
    assert.equal(big.body.code, 40005);
    const xml = await h.api('POST', '/auth/login', {
      raw: '<login/>',
      headers: { 'content-type': 'application/xml' },
    });
    assert.equal(xml.status, 415);
    assert.equal(typeof xml.body.code, 'number');
  });

  test('validation errors name the field, nested the Discord way', async () => {
    const res = await h.api('POST', '/auth/register', {
      body: { email: 5, username: 'ok_name', password: 'x' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 50035);
    assert.ok(Array.isArray(res.body.errors.password._errors));
    assert.equal(typeof res.body.errors.password._errors[0].code, 'string');
    assert.equal(typeof res.body.errors.password._errors[0].message, 'string');
    assert.ok(res.body.errors.email);
  });

  test('text holding U+0000 (which PostgreSQL cannot store) is a 400 naming the field, and nothing is written', async () => {
    const g = await createGuild(h);
    const messagesPath = `/channels/${g.textChannelId}/messages`;
    const cases: Array<{ method: string; path: string; body?: unknown; field: string[] }> = [
      { method: 'POST', path: messagesPath, body: { content: 'a\u0000b' }, field: ['content'] },
      {
        method: 'POST',
        path: messagesPath,
        body: { content: 'x', embeds: [{ title: 'ok', description: '\u0000' }] },
        field: ['embeds', '0', 'description'],
      },
      { method: 'PATCH', path: `/channels/${g.textChannelId}`, body: { topic: 'a\u0000' }, field: ['topic'] },
      { method: 'PATCH', path: '/users/@me', body: { global_name: '\u0000' }, field: ['global_name'] },
      { method: 'GET', path: `/guilds/${g.id}/members/search?query=a%00b`, field: ['query'] },
      { method: 'PUT', path: `${messagesPath}/1/reactions/%00/@me`, field: ['emoji'] },
    ];
    for (const c of cases) {
      const res = await h.api(c.method, c.path, { token: g.owner.token, body: c.body });
      assert.equal(res.status, 400, `${c.method} ${c.path}: ${res.text}`);
      assert.equal(res.body.code, 50035);
      let at = res.body.errors;
      for (const key of c.field) at = at?.[key];
      assert.ok(at?._errors?.[0]?.code, `${c.path} names ${c.field.join('.')}: ${res.text}`);
    }
    // The multipart form: in payload_json and in a file's name.
    for (const [payload, filename, field] of [
      [{ content: 'with a file \u0000' }, 'ok.txt', 'content'],
      [{ content: 'fine' }, 'bad\u0000.txt', 'files[0]'],
    ] as const) {
      const form = new FormData();
      form.append('payload_json', JSON.stringify(payload));
      form.append('files[0]', new Blob(['hello']), filename);
      const res = await fetch(`${h.url}/api/v10${messagesPath}`, {
        method: 'POST',
        headers: { authorization: g.owner.token },
        body: form,
      });
      const body = await res.json();
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(body.errors[field]._errors[0].code, JSON.stringify(body));
    }
    const history = await h.api('GET', `${messagesPath}?limit=100`, { token: g.owner.token });
    assert.deepEqual(history.body, []);
    const channel = await h.api('GET', `/channels/${g.textChannelId}`, { token: g.owner.token });
    assert.equal(channel.body.topic, null);
  });

  test('no stack traces or internals in error bodies', async () => {
    const res = await h.api('POST', '/auth/login', {
      raw: '{bad',
      headers: { 'content-type': 'application/json' },
    });
    assert.doesNotMatch(res.text, /at .*\.ts:\d+|node_modules|stack/i);
  });
});

describe('operation', () => {
  test('health', async () => {
    const res = await h.api('GET', '/health', { root: true });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'ok');
  });

  test('metrics count requests', async () => {
    await h.api('GET', '/users/@me');
    const res = await h.api('GET', '/metrics', { root: true });
    assert.equal(res.status, 200);
    assert.match(
      res.text,
      /hearth_http_requests_total\{method="GET",route="\/api\/v10\/users\/@me",status="401"\} \d+/,
    );
    assert.match(res.text, /hearth_http_request_duration_seconds_bucket/);
    assert.match(res.text, /process_cpu_user_seconds_total/);
    // The database pool: PostgreSQL reports its pool; PGlite is one embedded connection.
    if (testDb === 'postgres') {
      const total = Number(res.text.match(/hearth_db_pool_connections\{state="total"\} (\d+)/)?.[1]);
      assert.ok(total >= 1, 'the pool holds a connection after serving requests');
      assert.match(res.text, /hearth_db_pool_connections\{state="idle"\} \d+/);
      assert.match(res.text, /hearth_db_pool_connections\{state="waiting"\} \d+/);
    } else assert.match(res.text, /hearth_db_pool_connections\{state="total"\} 1\b/);
  });

  test('OpenAPI documents the routes from their schemas', async () => {
    const res = await h.api('GET', '/api/docs/json');
    assert.equal(res.status, 200);
    assert.match(res.body.openapi, /^3\./);
    // Every API route the server answers is documented, with its method.
    const routes = apiRoutes(h.app.http.printRoutes({ commonPrefix: false }));
    assert.ok(routes.length > 80, `found ${routes.length} routes`);
    const missing = routes.filter(({ method, path }) => !res.body.paths[path]?.[method.toLowerCase()]);
    assert.deepEqual(missing, [], 'undocumented routes');
    assert.ok(res.body.paths['/guilds/{guild_id}/members/{user_id}/roles/{role_id}'].put);
    assert.match(res.body.servers[0].url, /\/api\/v10$/);
    const ui = await fetch(`${h.url}/api/docs`);
    assert.equal(ui.status, 200);
  });

  test('the docs page runs only its own scripts (CSP), and every script and style it needs loads under it', async () => {
    const page = await fetch(`${h.url}/api/docs/`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const directive = (name: string) =>
      csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `));
    assert.equal(directive('default-src'), "default-src 'none'");
    assert.equal(directive('script-src'), "script-src 'self'");
    assert.equal(
      directive('connect-src'),
      "connect-src 'self' http://hearth.test",
      'Try it out reaches PUBLIC_URL',
    );
    assert.equal(directive('frame-ancestors'), "frame-ancestors 'none'");
    const html = await page.text();
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /<style|\son[a-z]+=/, 'no inline style or handler');
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(
      (m) => new URL(m[1], `${h.url}/api/docs/`),
    );
    assert.ok(assets.some((u) => u.pathname.endsWith('swagger-initializer.js')));
    for (const url of assets) {
      assert.equal(url.origin, h.url, `${url} is same-origin`);
      const asset = await fetch(url);
      assert.equal(asset.status, 200, String(url));
      assert.ok(asset.headers.get('content-security-policy'), `${url} carries the policy`);
      await asset.arrayBuffer();
    }
  });
});

/** The method and OpenAPI-style path (`{param}`, without /api/v10) of every API route in fastify's route tree. */
function apiRoutes(tree: string): Array<{ method: string; path: string }> {
  const prefixes: string[] = [''];
  const out: Array<{ method: string; path: string }> = [];
  for (const line of tree.split('\n')) {
    const m = line.match(/^(.*?[└├]── )(.+?)(?: \(([A-Z, ]+)\))?$/);
    if (!m) continue;
    const depth = m[1].length / 4;
    const path = prefixes[depth - 1] + (depth === 1 ? '' : m[2]);
    prefixes[depth] = depth === 1 ? '' : path;
    if (!m[3] || !path.startsWith('api/v10/')) continue;
    const openapi = path.slice('api/v10'.length).replace(/:([A-Za-z_]+)/g, '{$1}');
    for (const method of m[3].split(', ')) if (method !== 'HEAD') out.push({ method, path: openapi });
  }
  return out;
}
