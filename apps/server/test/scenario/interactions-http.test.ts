// An application with an interactions endpoint (ADR 0038) gets its interactions there, signed, and not over its
// bot's gateway (ADR 0039); the endpoint's answer is the initial response. An answer that is no valid response
// leaves the interaction to the deadline, and the invoker is told it failed.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { InteractionResponseType, InteractionType, verifyKey } from 'discord-interactions';
import { type BotWorld, botWorld } from '../bots/bot-setup';
import { TestGateway } from '../gateway-client';

let world: BotWorld;
let endpoint: Server;
let verifyKeyHex = '';
let botGw: TestGateway;
let ownerGw: TestGateway;
const commandIds = new Map<string, string>();
/** Interactions the endpoint received with a valid signature. */
const received: Array<Record<string, any>> = [];

async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const valid = await verifyKey(
    raw,
    String(req.headers['x-signature-ed25519'] ?? ''),
    String(req.headers['x-signature-timestamp'] ?? ''),
    verifyKeyHex,
  );
  if (!valid) return json(res, 401, { error: 'invalid request signature' });
  const body = JSON.parse(raw.toString());
  if (body.type === InteractionType.PING) return json(res, 200, { type: InteractionResponseType.PONG });
  received.push(body);
  if (body.data?.name === 'garbled') return json(res, 200, { type: 99, nonsense: true });
  return json(res, 200, {
    type: InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE,
    data: { content: `over http: ${body.data?.name}` },
  });
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

before(async () => {
  endpoint = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 400, { error: 'bad request' }));
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  world = await botWorld('Http Bot', {
    config: { outboundAllowHosts: ['127.0.0.1'], interactionDeadlineMs: 2000 },
  });
  const { h, g } = world;
  const app = await h.api('GET', `/applications/${world.applicationId}`, { token: g.owner.token });
  assert.equal(app.status, 200, app.text);
  verifyKeyHex = app.body.verify_key;
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/interactions`;
  const saved = await h.api('PATCH', `/applications/${world.applicationId}`, {
    token: g.owner.token,
    body: { interactions_endpoint_url: url },
  });
  assert.equal(saved.status, 200, saved.text);
  const put = await h.api('PUT', `/applications/${world.applicationId}/guilds/${g.id}/commands`, {
    token: `Bot ${world.token}`,
    body: [
      { name: 'hello', description: 'Answered over HTTP' },
      { name: 'garbled', description: 'Answered with nonsense' },
    ],
  });
  assert.equal(put.status, 200, put.text);
  for (const c of put.body) commandIds.set(c.name, c.id);
  botGw = await TestGateway.identify(h, `Bot ${world.token}`, { intents: 1 }, 1);
  ownerGw = await TestGateway.identify(h, g.owner.token, {}, 1);
});

after(async () => {
  botGw?.close();
  ownerGw?.close();
  endpoint?.closeAllConnections();
  endpoint?.close();
  await world?.h.close();
});

const invoke = (name: string) =>
  world.h.api('POST', '/interactions', {
    token: world.g.owner.token,
    body: {
      type: 2,
      application_id: world.applicationId,
      guild_id: world.g.id,
      channel_id: world.g.textChannelId,
      nonce: name,
      data: { id: commandIds.get(name), name, type: 1 },
    },
  });

test("the endpoint gets the signed interaction, its answer is posted, the bot's gateway gets nothing", async () => {
  const res = await invoke('hello');
  assert.equal(res.status, 204, res.text);
  const message = await ownerGw.dispatch('MESSAGE_CREATE', (d) => d.content === 'over http: hello', 15_000);
  assert.equal(message.author.id, world.botUserId);
  assert.equal(message.channel_id, world.g.textChannelId);
  const got = received.find((i) => i.data?.name === 'hello');
  assert.ok(got, 'the endpoint verified and received the interaction');
  assert.equal(got.application_id, world.applicationId);
  assert.equal(typeof got.token, 'string');
  await ownerGw.dispatch('INTERACTION_SUCCESS', (d) => d.id === got.id, 15_000);
  assert.equal(await botGw.never('INTERACTION_CREATE', () => true, 500), true);
});

test('an answer that is no valid response fails the interaction for the invoker at the deadline', async () => {
  const res = await invoke('garbled');
  assert.equal(res.status, 204, res.text);
  const failed = await ownerGw.dispatch('INTERACTION_FAILURE', () => true, 15_000);
  assert.equal(failed.id, received.find((i) => i.data?.name === 'garbled')?.id);
  const history = await world.h.api('GET', `/channels/${world.g.textChannelId}/messages?limit=10`, {
    token: world.g.owner.token,
  });
  assert.equal(
    history.body.some(
      (m: { author: { id: string }; content: string }) =>
        m.author.id === world.botUserId && m.content !== 'over http: hello',
    ),
    false,
  );
});
