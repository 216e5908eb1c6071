// HTTP interactions (ADR 0038): an application's interactions endpoint is verified with signed PINGs before it is
// saved, and interactions POSTed to it carry Ed25519 signatures a real HTTP-interactions app checks with
// Discord's own `discord-interactions` package.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { InteractionResponseType, InteractionType, verifyKey } from 'discord-interactions';
import {
  deliverInteractionOverHttp,
  EndpointError,
} from '../../src/domain/applications/interactions-endpoint';
import { createGuild } from '../guild-helpers';
import { startHearth, type TestServer } from '../harness';

let h: TestServer;
let endpoint: Server;
let base: string;
/** The verify_key the endpoint checks with, per path prefix (each test's app has its own). */
const publicKeys = new Map<string, string>();
/** What the endpoint received with a valid signature. */
const received: Array<{ app: string; body: Record<string, unknown> }> = [];

/**
 * A tiny HTTP-interactions app, as bot authors write them: `/<app>/good` verifies with discord-interactions and
 * answers PING with PONG and commands with a message; `/<app>/lax` answers without checking signatures;
 * `/<app>/slow` never answers; `/<app>/wrong` answers PING with something else.
 */
async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const [, app, mode] = (req.url ?? '').split('/');
  if (mode === 'slow') return;
  const body = JSON.parse(raw.toString()) as Record<string, unknown>;
  if (mode === 'lax') return json(res, 200, { type: InteractionResponseType.PONG });
  if (mode === 'wrong') return json(res, 200, { type: 4, data: { content: 'hi' } });
  const valid = await verifyKey(
    raw,
    String(req.headers['x-signature-ed25519'] ?? ''),
    String(req.headers['x-signature-timestamp'] ?? ''),
    publicKeys.get(app) ?? '',
  );
  if (!valid) return json(res, 401, { error: 'invalid request signature' });
  received.push({ app, body });
  if (body.type === InteractionType.PING) return json(res, 200, { type: InteractionResponseType.PONG });
  return json(res, 200, {
    type: InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE,
    data: { content: `pong from ${app}` },
  });
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

before(async () => {
  h = await startHearth({ outboundAllowHosts: ['127.0.0.1'] });
  endpoint = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 400, { error: 'bad request' }));
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
});
after(async () => {
  endpoint.closeAllConnections();
  endpoint.close();
  await h.close();
});

async function newApp(owner: { token: string }) {
  const res = await h.api('POST', '/applications', { token: owner.token, body: { name: 'Http App' } });
  assert.equal(res.status, 201, res.text);
  publicKeys.set(res.body.id, res.body.verify_key);
  return res.body as { id: string; verify_key: string; interactions_endpoint_url: string | null };
}

const setUrl = (token: string, appId: string, url: string | null) =>
  h.api('PATCH', `/applications/${appId}`, { token, body: { interactions_endpoint_url: url } });

function assertRefused(res: { status: number; body: any; text: string }, why: RegExp) {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.code, 50035);
  const err = res.body.errors.interactions_endpoint_url._errors[0];
  assert.match(err.message, why);
}

describe('interactions endpoint', () => {
  test('every application has a hex Ed25519 verify_key; the private key is never returned', async () => {
    const owner = await h.register();
    const app = await newApp(owner);
    assert.match(app.verify_key, /^[0-9a-f]{64}$/);
    assert.equal(app.interactions_endpoint_url, null);
    const again = await h.api('GET', `/applications/${app.id}`, { token: owner.token });
    assert.equal(again.body.verify_key, app.verify_key);
    assert.ok(!/signing|private/i.test(again.text));
    const other = await newApp(owner);
    assert.notEqual(other.verify_key, app.verify_key);
  });

  test('an endpoint that answers PING and refuses bad signatures is saved; it got a PING signed correctly', async () => {
    const owner = await h.register();
    const app = await newApp(owner);
    const url = `${base}/${app.id}/good`;
    const res = await setUrl(owner.token, app.id, url);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.interactions_endpoint_url, url);
    const pings = received.filter((r) => r.app === app.id);
    assert.equal(pings.length, 1, 'only the correctly signed PING passed the library check');
    assert.equal(pings[0].body.type, 1);
    assert.equal(pings[0].body.application_id, app.id);
    assert.equal(
      (await h.api('GET', `/applications/${app.id}`, { token: owner.token })).body.interactions_endpoint_url,
      url,
    );
    // Removing it needs no verification.
    const cleared = await setUrl(owner.token, app.id, '');
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.interactions_endpoint_url, null);
  });

  test('an endpoint that accepts a bad signature, answers PING wrongly, or never answers is refused', async () => {
    const owner = await h.register();
    const app = await newApp(owner);
    assertRefused(
      await setUrl(owner.token, app.id, `${base}/${app.id}/lax`),
      /invalid signature was accepted/,
    );
    assertRefused(await setUrl(owner.token, app.id, `${base}/${app.id}/wrong`), /\{"type": 1\}/);
    assertRefused(await setUrl(owner.token, app.id, `${base}/${app.id}/slow`), /did not answer within 3 s/);
    const after = await h.api('GET', `/applications/${app.id}`, { token: owner.token });
    assert.equal(after.body.interactions_endpoint_url, null);
  });

  test('private, loopback and unreachable addresses and non-http URLs are refused', async () => {
    const owner = await h.register();
    const app = await newApp(owner);
    const port = new URL(base).port;
    assertRefused(await setUrl(owner.token, app.id, `http://localhost:${port}/${app.id}/good`), /not public/);
    assertRefused(
      await setUrl(owner.token, app.id, 'http://169.254.169.254/latest/meta-data'),
      /not a public/,
    );
    assertRefused(await setUrl(owner.token, app.id, 'http://10.0.0.1/interactions'), /not a public/);
    assertRefused(await setUrl(owner.token, app.id, 'http://[::1]:80/'), /not a public/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    assertRefused(
      await setUrl(owner.token, app.id, `http://127.0.0.1:${closedPort}/x`),
      /could not be reached/,
    );
    const ftp = await setUrl(owner.token, app.id, 'ftp://example.com/x');
    assert.equal(ftp.status, 400);
    assert.equal(ftp.body.code, 50035);
  });

  test('deliverInteractionOverHttp posts a signed interaction the app verifies, and returns its answer', async () => {
    const owner = await h.register();
    const app = await newApp(owner);
    assert.equal((await setUrl(owner.token, app.id, `${base}/${app.id}/good`)).status, 200);
    const deps = { db: h.app.database.db, config: h.app.config };
    const interaction = {
      id: '1',
      application_id: app.id,
      type: 2,
      token: 't',
      version: 1,
      data: { name: 'ping' },
    };
    const answer = await deliverInteractionOverHttp(deps, app.id, interaction);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { type: 4, data: { content: `pong from ${app.id}` } });
    const got = received.filter((r) => r.app === app.id).at(-1);
    assert.deepEqual(got?.body, interaction);

    const none = await newApp(owner);
    await assert.rejects(deliverInteractionOverHttp(deps, none.id, interaction), EndpointError);
    // An app whose endpoint no longer verifies with its current key (its key pair is another app's): a 401, thrown.
    publicKeys.set(app.id, none.verify_key);
    await assert.rejects(
      deliverInteractionOverHttp(deps, app.id, interaction),
      (err: EndpointError) => err.reason === 'bad_status' && err.status === 401,
    );
  });

  test('a bot sets its own endpoint with PATCH /applications/@me; others cannot read or change an application', async () => {
    const owner = await h.register();
    const stranger = await h.register();
    const app = await newApp(owner);
    const reset = await h.api('POST', `/applications/${app.id}/bot/reset`, { token: owner.token });
    const bot = `Bot ${reset.body.token}`;
    const url = `${base}/${app.id}/good`;
    const mine = await h.api('PATCH', '/applications/@me', {
      token: bot,
      body: { interactions_endpoint_url: url },
    });
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.body.interactions_endpoint_url, url);
    assert.equal(
      (await h.api('PATCH', '/applications/@me', { token: owner.token, body: { description: 'x' } })).status,
      403,
    );
    assert.equal((await h.api('PATCH', '/applications/@me', { body: { description: 'x' } })).status, 401);

    for (const [method, path, body] of [
      ['GET', `/applications/${app.id}`, undefined],
      ['PATCH', `/applications/${app.id}`, { interactions_endpoint_url: `${base}/${app.id}/lax` }],
      ['POST', `/applications/${app.id}/bot/reset`, undefined],
      ['DELETE', `/applications/${app.id}`, undefined],
    ] as const) {
      const res = await h.api(method, path, { token: stranger.token, body });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.code, 10002);
      assert.ok(!res.text.includes(app.verify_key));
      assert.equal((await h.api(method, path, { body })).status, 401, `${method} ${path} signed out`);
    }
    // The bot cannot delete its own application.
    assert.equal((await h.api('DELETE', `/applications/${app.id}`, { token: bot })).status, 403);
    const listed = await h.api('GET', '/applications', { token: stranger.token });
    assert.deepEqual(listed.body, []);
  });

  test('privileged intent flags are the only flags an owner sets; deleting an application ends its bot', async () => {
    const owner = await h.register();
    const app = await newApp(owner);
    const intents = (1 << 12) | (1 << 14) | (1 << 18);
    const set = await h.api('PATCH', `/applications/${app.id}`, {
      token: owner.token,
      body: { flags: intents },
    });
    assert.equal(set.body.flags, intents);
    const bad = await h.api('PATCH', `/applications/${app.id}`, {
      token: owner.token,
      body: { flags: 1 << 23 },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 50035);

    const reset = await h.api('POST', `/applications/${app.id}/bot/reset`, { token: owner.token });
    const bot = `Bot ${reset.body.token}`;
    assert.equal((await h.api('GET', '/users/@me', { token: bot })).status, 200);
    const gone = await h.api('DELETE', `/applications/${app.id}`, { token: owner.token });
    assert.equal(gone.status, 204);
    assert.equal((await h.api('GET', '/users/@me', { token: bot })).status, 401);
    assert.equal((await h.api('GET', `/applications/${app.id}`, { token: owner.token })).status, 404);
    assert.deepEqual((await h.api('GET', '/applications', { token: owner.token })).body, []);
  });

  test('the authorize screen names a public application or one of mine; a deleted application leaves its guilds', async () => {
    const owner = await h.register();
    const other = await h.register();
    const app = await newApp(owner);
    const preview = await h.api('GET', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
      token: other.token,
    });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.application.name, 'Http App');
    assert.equal(preview.body.bot.bot, true);
    assert.ok(!preview.text.includes(app.verify_key), 'only what the authorize screen shows');
    assert.equal((await h.api('GET', `/oauth2/authorize?client_id=${app.id}`)).status, 401);
    await h.api('PATCH', `/applications/${app.id}`, { token: owner.token, body: { bot_public: false } });
    const hidden = await h.api('GET', `/oauth2/authorize?client_id=${app.id}`, { token: other.token });
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.code, 10002);
    assert.equal(
      (await h.api('GET', `/oauth2/authorize?client_id=${app.id}`, { token: owner.token })).status,
      200,
    );
    assert.equal((await h.api('GET', '/oauth2/authorize?client_id=1', { token: other.token })).status, 404);

    const g = await createGuild(h, owner);
    const added = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
      token: owner.token,
      body: { guild_id: g.id, permissions: '0', authorize: true },
    });
    assert.equal(added.status, 200, added.text);
    const listed = await h.api('GET', `/guilds/${g.id}/integrations`, { token: owner.token });
    assert.equal(listed.body.length, 1);
    const botId = listed.body[0].account.id;
    const before = h.events.length;
    assert.equal((await h.api('DELETE', `/applications/${app.id}`, { token: owner.token })).status, 204);
    assert.ok(
      h.events
        .slice(before)
        .some((e) => e.t === 'GUILD_MEMBER_REMOVE' && (e.d as { user: { id: string } }).user.id === botId),
    );
    assert.deepEqual((await h.api('GET', `/guilds/${g.id}/integrations`, { token: owner.token })).body, []);
    assert.equal(
      (await h.api('GET', `/guilds/${g.id}/members/${botId}`, { token: owner.token })).status,
      404,
    );
  });
});
