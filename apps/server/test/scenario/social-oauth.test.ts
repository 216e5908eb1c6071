import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { startHearth, type TestServer, type TestUser } from '../harness';

// OAuth 2 as Mastodon apps use it: the consent page with PKCE, the code exchange, client_credentials, revocation,
// and scopes enforced on every route of the Mastodon API.

let h: TestServer;
before(async () => {
  h = await startHearth();
});
after(() => h.close());

const REDIRECT = 'https://client.example/callback';
const OOB = 'urn:ietf:wg:oauth:2.0:oob';

interface App {
  client_id: string;
  client_secret: string;
}

async function registerApp(scopes = 'read write follow push', redirect = REDIRECT): Promise<App> {
  const res = await h.api('POST', '/api/v1/apps', {
    body: {
      client_name: 'OAuth test <app>',
      redirect_uris: redirect,
      scopes,
      website: 'https://client.example',
    },
  });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

function pkce() {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A request to Hearth that does not follow redirects (the page's answers are what is tested). */
function raw(method: string, path: string, opts: { form?: Record<string, string>; token?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return fetch(h.url + path, {
    method,
    headers,
    body: opts.form ? new URLSearchParams(opts.form).toString() : undefined,
    redirect: 'manual',
  });
}

function authorizeQuery(app: App, extra: Record<string, string> = {}) {
  return new URLSearchParams({
    response_type: 'code',
    client_id: app.client_id,
    redirect_uri: REDIRECT,
    scope: 'read write',
    state: 'xyz',
    ...extra,
  });
}

/** Signs in on the consent page and answers the code the redirect carries. */
async function authorize(app: App, user: TestUser, extra: Record<string, string> = {}): Promise<string> {
  const form = Object.fromEntries(authorizeQuery(app, extra));
  const res = await raw('POST', '/oauth/authorize', {
    form: { ...form, login: user.email, password: user.password, decision: 'allow' },
  });
  assert.equal(res.status, 302, await res.text());
  const location = new URL(res.headers.get('location') ?? '');
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
  assert.equal(location.searchParams.get('state'), extra.state ?? 'xyz');
  const code = location.searchParams.get('code');
  assert.ok(code);
  return code;
}

function exchange(app: App, code: string, extra: Record<string, string> = {}) {
  return h.api('POST', '/oauth/token', {
    root: true,
    body: {
      grant_type: 'authorization_code',
      client_id: app.client_id,
      client_secret: app.client_secret,
      redirect_uri: REDIRECT,
      code,
      ...extra,
    },
  });
}

async function tokenWithScopes(user: TestUser, scope: string, appScopes = 'read write follow push profile') {
  const app = await registerApp(appScopes);
  const code = await authorize(app, user, { scope });
  const res = await exchange(app, code);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.scope, scope);
  return res.body.access_token as string;
}

function call(method: string, path: string, token: string | null, body?: unknown) {
  return h.api(method, path, { token: token ? `Bearer ${token}` : undefined, body });
}

describe('OAuth authorization code', () => {
  test('the metadata names the endpoints, grants and S256', async () => {
    const res = await h.api('GET', '/.well-known/oauth-authorization-server', { root: true });
    assert.equal(res.status, 200);
    assert.equal(res.body.authorization_endpoint, `${new URL(res.body.issuer).origin}/oauth/authorize`);
    assert.ok(res.body.token_endpoint.endsWith('/oauth/token'));
    assert.ok(res.body.revocation_endpoint.endsWith('/oauth/revoke'));
    assert.deepEqual(res.body.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(res.body.grant_types_supported, [
      'authorization_code',
      'password',
      'client_credentials',
    ]);
    assert.ok(res.body.scopes_supported.includes('read:statuses'));
    // The OpenAPI document tags the Mastodon API's routes.
    const doc = await h.api('GET', '/api/docs/json');
    const op = (path: string) => Object.entries(doc.body.paths).find(([p]) => p.endsWith(path))?.[1] as any;
    assert.deepEqual(op('/oauth/authorize').get.tags, ['Mastodon OAuth']);
    assert.deepEqual(op('/oauth/token').post.tags, ['Mastodon OAuth']);
    assert.deepEqual(op('/api/v2/search').get.tags, ['Mastodon']);
    assert.deepEqual(op('/api/v1/pleroma/statuses/{id}/reactions/{emoji}').put.tags, ['Mastodon']);
  });

  test('the consent page names the app and scopes, escapes them, runs no script', async () => {
    const app = await registerApp();
    const res = await raw('GET', `/oauth/authorize?${authorizeQuery(app)}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline/);
    assert.match(csp, /form-action 'self' https:\/\/client\.example/);
    assert.match(csp, /frame-ancestors 'none'/);
    const html = await res.text();
    assert.match(html, /OAuth test &#60;app&#62;/);
    assert.doesNotMatch(html, /<app>|<script/);
    assert.match(html, /<strong>read<\/strong>/);
    assert.match(html, /<strong>write<\/strong>/);
    assert.match(html, /name="state" value="xyz"/);
  });

  test('PKCE: the right verifier gets a token once; a wrong or missing one is invalid_grant', async () => {
    const [alice] = [await h.register()];
    const app = await registerApp();
    const { verifier, challenge } = pkce();
    const pk = { code_challenge: challenge, code_challenge_method: 'S256' };

    const wrongCode = await authorize(app, alice, pk);
    const wrong = await exchange(app, wrongCode, { code_verifier: pkce().verifier });
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.body, { error: 'invalid_grant' });
    // A code is used up by its first exchange, even a failed one.
    assert.equal((await exchange(app, wrongCode, { code_verifier: verifier })).status, 400);

    const missing = await exchange(app, await authorize(app, alice, pk));
    assert.deepEqual([missing.status, missing.body.error], [400, 'invalid_grant']);

    const code = await authorize(app, alice, pk);
    const ok = await exchange(app, code, { code_verifier: verifier });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.token_type, 'Bearer');
    assert.equal(ok.body.scope, 'read write');
    const me = await call('GET', '/api/v1/accounts/verify_credentials', ok.body.access_token);
    assert.equal(me.body.id, alice.id);
    const again = await exchange(app, code, { code_verifier: verifier });
    assert.deepEqual([again.status, again.body.error], [400, 'invalid_grant']);

    // Plain PKCE is refused back at the client.
    const plain = await raw(
      'GET',
      `/oauth/authorize?${authorizeQuery(app, { code_challenge: verifier, code_challenge_method: 'plain' })}`,
    );
    assert.equal(plain.status, 302);
    assert.equal(new URL(plain.headers.get('location') ?? '').searchParams.get('error'), 'invalid_request');
  });

  test("a code is bound to its client and redirect URI; another client's secret cannot use it", async () => {
    const alice = await h.register();
    const app = await registerApp();
    const other = await registerApp();
    const code = await authorize(app, alice);
    const stolen = await exchange(other, code);
    assert.deepEqual([stolen.status, stolen.body.error], [400, 'invalid_grant']);
    const code2 = await authorize(app, alice);
    const elsewhere = await exchange(app, code2, { redirect_uri: 'https://client.example/other' });
    assert.deepEqual([elsewhere.status, elsewhere.body.error], [400, 'invalid_grant']);
    const badSecret = await exchange({ ...app, client_secret: 'nope' }, await authorize(app, alice));
    assert.deepEqual([badSecret.status, badSecret.body.error], [401, 'invalid_client']);
  });

  test('a wrong password shows the page again; deny goes back with access_denied', async () => {
    const alice = await h.register();
    const app = await registerApp();
    const form = Object.fromEntries(authorizeQuery(app));
    const bad = await raw('POST', '/oauth/authorize', {
      form: { ...form, login: alice.email, password: 'wrong password', decision: 'allow' },
    });
    assert.equal(bad.status, 401);
    assert.match(await bad.text(), /Login or password is invalid/);
    const deny = await raw('POST', '/oauth/authorize', { form: { ...form, decision: 'deny' } });
    assert.equal(deny.status, 302);
    const location = new URL(deny.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), 'xyz');
    assert.equal(location.searchParams.get('code'), null);
  });

  test('an unknown client or redirect URI is shown, never redirected to; too many scopes go back as invalid_scope', async () => {
    const app = await registerApp('read');
    const unknownRedirect = await raw(
      'GET',
      `/oauth/authorize?${authorizeQuery(app, { redirect_uri: 'https://evil.example/cb', scope: 'read' })}`,
    );
    assert.equal(unknownRedirect.status, 400);
    assert.equal(unknownRedirect.headers.get('location'), null);
    assert.match(await unknownRedirect.text(), /redirect_uri/);
    const unknownClient = await raw(
      'GET',
      `/oauth/authorize?${authorizeQuery({ ...app, client_id: '123' })}`,
    );
    assert.equal(unknownClient.status, 400);
    const tooMuch = await raw('GET', `/oauth/authorize?${authorizeQuery(app, { scope: 'read write' })}`);
    assert.equal(tooMuch.status, 302);
    assert.equal(new URL(tooMuch.headers.get('location') ?? '').searchParams.get('error'), 'invalid_scope');
  });

  test('the out-of-band redirect shows the code to copy', async () => {
    const alice = await h.register();
    const app = await registerApp('read', OOB);
    const res = await raw('POST', '/oauth/authorize', {
      form: {
        response_type: 'code',
        client_id: app.client_id,
        redirect_uri: OOB,
        scope: 'read',
        login: alice.username,
        password: alice.password,
        decision: 'allow',
      },
    });
    assert.equal(res.status, 200);
    const code = (await res.text()).match(/<code id="code">([^<]+)<\/code>/)?.[1];
    assert.ok(code);
    const token = await h.api('POST', '/oauth/token', {
      root: true,
      body: {
        grant_type: 'authorization_code',
        client_id: app.client_id,
        client_secret: app.client_secret,
        redirect_uri: OOB,
        code,
      },
    });
    assert.equal(token.status, 200, token.text);
  });
});

describe('scopes', () => {
  test('a read-only token reads but cannot post (403, Mastodon body)', async () => {
    const alice = await h.register();
    const token = await tokenWithScopes(alice, 'read');
    assert.equal((await call('GET', '/api/v1/timelines/home', token)).status, 200);
    const post = await call('POST', '/api/v1/statuses', token, { status: 'not allowed' });
    assert.equal(post.status, 403);
    assert.deepEqual(post.body, { error: 'This action is outside the authorized scopes' });
    const fav = await call('POST', `/api/v1/accounts/${alice.id}/follow`, token);
    assert.equal(fav.status, 403);
  });

  test('granular scopes allow exactly their routes; follow covers follows, blocks and mutes', async () => {
    const [alice, bob] = [await h.register(), await h.register()];
    const writeStatuses = await tokenWithScopes(alice, 'write:statuses');
    assert.equal((await call('POST', '/api/v1/statuses', writeStatuses, { status: 'granular' })).status, 200);
    assert.equal((await call('GET', '/api/v1/timelines/home', writeStatuses)).status, 403);
    assert.equal((await call('POST', `/api/v1/accounts/${bob.id}/follow`, writeStatuses)).status, 403);
    // An optional-auth route with a token lacking its scope is refused too (Mastodon's authorize_if_got_token).
    assert.equal((await call('GET', `/api/v1/accounts/${bob.id}`, writeStatuses)).status, 403);

    const follow = await tokenWithScopes(alice, 'follow');
    assert.equal((await call('POST', `/api/v1/accounts/${bob.id}/follow`, follow)).status, 200);
    assert.equal((await call('POST', `/api/v1/accounts/${bob.id}/mute`, follow)).status, 200);
    assert.equal((await call('GET', '/api/v1/accounts/relationships?id[]=' + bob.id, follow)).status, 200);
    assert.equal((await call('POST', '/api/v1/statuses', follow, { status: 'no' })).status, 403);

    const profile = await tokenWithScopes(alice, 'profile');
    const me = await call('GET', '/api/v1/accounts/verify_credentials', profile);
    assert.equal(me.status, 200);
    assert.equal(me.body.id, alice.id);
    assert.equal((await call('GET', '/api/v1/notifications', profile)).status, 403);

    const readStatuses = await tokenWithScopes(alice, 'read:statuses write:media');
    assert.equal((await call('GET', '/api/v1/timelines/public', readStatuses)).status, 200);
    assert.equal((await call('GET', '/api/v1/notifications', readStatuses)).status, 403);
  });

  test("an OAuth client's token is for the Mastodon API only; Hearth's own token may do everything", async () => {
    const alice = await h.register();
    const token = await tokenWithScopes(alice, 'read write follow');
    assert.equal((await call('GET', '/api/v10/users/@me', token)).status, 401);
    assert.equal((await h.api('GET', '/users/@me', { token: alice.token })).status, 200);
    assert.equal((await call('POST', '/api/v1/statuses', alice.token, { status: 'mine' })).status, 200);
    const app = await call('GET', '/api/v1/apps/verify_credentials', alice.token);
    assert.equal(app.body.name, 'Hearth');
  });

  test('a token without read scopes cannot open the streaming API', async () => {
    const alice = await h.register();
    assert.equal(await streamingStatus(await tokenWithScopes(alice, 'write')), 401);
    assert.equal(await streamingStatus(await tokenWithScopes(alice, 'read')), 101);
  });
});

/** The HTTP status a WebSocket upgrade to the streaming API with `token` gets (101: opened). */
function streamingStatus(token: string, stream = 'public'): Promise<number> {
  return new Promise<number>((resolve) => {
    const ws = new WebSocket(
      `${h.url.replace(/^http/, 'ws')}/api/v1/streaming?stream=${stream}&access_token=${token}`,
    );
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => {});
  });
}

describe('token lifetime, as Mastodon', () => {
  test('no refresh tokens: tokens do not expire, and grant_type=refresh_token is unsupported', async () => {
    const alice = await h.register();
    const app = await registerApp();
    const token = await exchange(app, await authorize(app, alice));
    assert.equal(token.status, 200);
    assert.equal(token.body.refresh_token, undefined);
    assert.equal(token.body.expires_in, undefined);
    const refresh = await h.api('POST', '/oauth/token', {
      root: true,
      body: { grant_type: 'refresh_token', refresh_token: token.body.access_token, ...app },
    });
    assert.equal(refresh.status, 400);
    assert.match(refresh.text, /unsupported_grant_type/);
    const meta = await h.api('GET', '/.well-known/oauth-authorization-server', { root: true });
    assert.ok(!meta.body.grant_types_supported.includes('refresh_token'));
  });
});

describe('client_credentials, app credentials and revocation', () => {
  test('an app token reads what anyone may, names its app, is refused where a person is needed, ends on revoke', async () => {
    const app = await registerApp('read write');
    const basic = Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64');
    const res = await h.api('POST', '/oauth/token', {
      root: true,
      headers: { authorization: `Basic ${basic}` },
      body: { grant_type: 'client_credentials', scope: 'read' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.scope, 'read');
    const token = res.body.access_token;
    const creds = await call('GET', '/api/v1/apps/verify_credentials', token);
    assert.equal(creds.status, 200);
    assert.equal(creds.body.name, 'OAuth test <app>');
    assert.deepEqual(creds.body.scopes, ['read', 'write']);
    assert.equal(creds.body.client_secret, undefined);
    assert.equal((await call('GET', '/api/v1/timelines/public', token)).status, 200);
    const home = await call('GET', '/api/v1/timelines/home', token);
    assert.deepEqual(
      [home.status, home.body],
      [422, { error: 'This method requires an authenticated user' }],
    );
    assert.equal((await call('POST', '/api/v1/statuses', token, { status: 'x' })).status, 422);
    // Mastodon's streaming server finds a token's user: an app's own token opens no stream, even a public one.
    assert.equal(await streamingStatus(token), 401);

    const tooMuch = await h.api('POST', '/oauth/token', {
      root: true,
      body: {
        grant_type: 'client_credentials',
        client_id: app.client_id,
        client_secret: app.client_secret,
        scope: 'follow',
      },
    });
    assert.deepEqual([tooMuch.status, tooMuch.body.error], [400, 'invalid_scope']);

    const revoked = await h.api('POST', '/oauth/revoke', {
      root: true,
      body: { client_id: app.client_id, client_secret: app.client_secret, token },
    });
    assert.equal(revoked.status, 200);
    assert.equal((await call('GET', '/api/v1/apps/verify_credentials', token)).status, 401);
  });

  test("a person's token: verify_credentials names its app; revoking it signs it out; another app cannot revoke it", async () => {
    const alice = await h.register();
    const app = await registerApp();
    const token = (await exchange(app, await authorize(app, alice))).body.access_token;
    const creds = await call('GET', '/api/v1/apps/verify_credentials', token);
    assert.equal(creds.body.name, 'OAuth test <app>');
    const other = await registerApp();
    await h.api('POST', '/oauth/revoke', { root: true, body: { ...other, token } });
    assert.equal((await call('GET', '/api/v1/accounts/verify_credentials', token)).status, 200);
    await h.api('POST', '/oauth/revoke', { root: true, body: { ...app, token } });
    const after = await call('GET', '/api/v1/accounts/verify_credentials', token);
    assert.deepEqual([after.status, after.body], [401, { error: 'The access token is invalid' }]);
    assert.equal((await call('GET', '/api/v1/apps/verify_credentials', null)).status, 401);
  });

  test('registration refuses a redirect URI that is not absolute and scopes it does not know', async () => {
    const bad = await h.api('POST', '/api/v1/apps', {
      body: { client_name: 'x', redirect_uris: 'not a uri' },
    });
    assert.equal(bad.status, 422);
    const js = await h.api('POST', '/api/v1/apps', {
      body: { client_name: 'x', redirect_uris: 'javascript:alert(1)' },
    });
    assert.equal(js.status, 422);
    const scopes = await h.api('POST', '/api/v1/apps', {
      body: { client_name: 'x', redirect_uris: REDIRECT, scopes: 'everything' },
    });
    assert.equal(scopes.status, 422);
  });
});
