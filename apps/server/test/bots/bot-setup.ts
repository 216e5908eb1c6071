import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer } from 'node:tls';
import { Permission } from '@hearth/permissions';
import { ApplicationFlags } from '@hearth/protocol';
import { createGuild, type TestGuild } from '../guild-helpers';
import { type ApiResponse, freePort, startHearth, type TestServer } from '../harness';

export interface BotWorld {
  h: TestServer;
  g: TestGuild;
  /** The bot's token, without the `Bot ` prefix (libraries add it). */
  token: string;
  applicationId: string;
  botUserId: string;
  /** The guild owner posts `content` in the guild's text channel. */
  post(content: string): Promise<ApiResponse>;
}

/**
 * A running Hearth (its public URL on its real port, so GET /gateway/bot leads libraries to it) with a guild whose
 * owner added an ADMINISTRATOR bot holding the message-content and members intents, as a bot author sets it up.
 */
export async function botWorld(
  name: string,
  opts: { publicUrl?: string; port?: number; config?: Parameters<typeof startHearth>[0] } = {},
): Promise<BotWorld> {
  const port = opts.port ?? (await freePort());
  const h = await startHearth({
    port,
    publicUrl: opts.publicUrl ?? `http://127.0.0.1:${port}`,
    ...opts.config,
  });
  const g = await createGuild(h);
  const app = (await h.api('POST', '/applications', { token: g.owner.token, body: { name } })).body;
  await h.api('PATCH', `/applications/${app.id}`, {
    token: g.owner.token,
    body: { flags: ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayGuildMembers },
  });
  const token = (await h.api('POST', `/applications/${app.id}/bot/reset`, { token: g.owner.token })).body
    .token;
  const added = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
    token: g.owner.token,
    body: { guild_id: g.id, permissions: Permission.ADMINISTRATOR.toString(), authorize: true },
  });
  assert.equal(added.status, 200, added.text);
  const post = (content: string) =>
    h.api('POST', `/channels/${g.textChannelId}/messages`, { token: g.owner.token, body: { content } });
  return { h, g, token, applicationId: app.id, botUserId: app.bot.id, post };
}

/** Another application of the guild's owner, whose bot they add to the guild with `permissions`. */
export async function addApplication(
  h: TestServer,
  g: TestGuild,
  name: string,
  permissions = '0',
): Promise<{ id: string; token: string }> {
  const app = (await h.api('POST', '/applications', { token: g.owner.token, body: { name } })).body;
  const token = (await h.api('POST', `/applications/${app.id}/bot/reset`, { token: g.owner.token })).body
    .token;
  const added = await h.api('POST', `/oauth2/authorize?client_id=${app.id}&scope=bot`, {
    token: g.owner.token,
    body: { guild_id: g.id, permissions, authorize: true },
  });
  assert.equal(added.status, 200, added.text);
  return { id: app.id, token };
}

/** A bot library's client, as far as waiting for its events goes. */
interface Emitter {
  on(name: string, handler: (...args: any[]) => void): unknown;
  off(name: string, handler: (...args: any[]) => void): unknown;
}

/** Resolves with the first `name` event of `client` whose arguments satisfy `match`; fails after `ms`. */
export function nextEvent<T extends unknown[]>(
  client: Emitter,
  name: string,
  match: (...args: T) => boolean = () => true,
  ms = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(name, handler);
      reject(new Error(`no ${name} event`));
    }, ms);
    const handler = (...args: any[]) => {
      if (!match(...(args as T))) return;
      clearTimeout(timer);
      client.off(name, handler);
      resolve(args as T);
    };
    client.on(name, handler);
  });
}

/** Posts two messages as the owner for a bot to bulk-delete; `deleted` checks that both are gone. */
export async function bulkDeleteVictims(
  world: BotWorld,
): Promise<{ ids: string[]; deleted(): Promise<void> }> {
  const ids = [(await world.post('doomed 1')).body.id, (await world.post('doomed 2')).body.id];
  return {
    ids,
    async deleted() {
      for (const id of ids) {
        const gone = await world.h.api('GET', `/channels/${world.g.textChannelId}/messages/${id}`, {
          token: world.g.owner.token,
        });
        assert.equal(gone.status, 404);
      }
    },
  };
}

/**
 * Checks that the message `messageId` a bot sent with a file arrived whole: fetched as the owner, it carries one
 * attachment named `filename` whose URL (taken on this server, whatever public origin it names) serves `bytes`.
 */
export async function attachmentArrived(
  world: BotWorld,
  messageId: string,
  filename: string,
  bytes: Buffer,
): Promise<void> {
  const res = await world.h.api('GET', `/channels/${world.g.textChannelId}/messages/${messageId}`, {
    token: world.g.owner.token,
  });
  assert.equal(res.status, 200, res.text);
  const [attachment, ...others] = res.body.attachments;
  assert.equal(others.length, 0);
  assert.equal(attachment.filename, filename);
  assert.equal(attachment.size, bytes.length);
  const url = new URL(attachment.url);
  const download = await fetch(`${world.h.url}${url.pathname}${url.search}`);
  assert.equal(download.status, 200);
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);
}

/** Each flow's outcome: 'ok', or the error the bot reported. */
export type FlowResults = Map<string, string>;

/**
 * Runs a bot program that prints `FLOW <name> ok|fail <error>` per flow and `DONE` at the end, and other lines when
 * it waits for people to act (`cues` answers them, e.g. READY: the owner sends `ping`); resolves with the outcomes
 * once it exits (or is stopped after `timeoutMs`).
 */
export function runBotProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  cues: Record<string, () => Promise<void>>,
  timeoutMs = 120_000,
): Promise<{ results: FlowResults; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const results: FlowResults = new Map();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      cues[line]?.().catch((err) => results.set(line, String(err)));
      const m = /^FLOW (.+?) (ok|fail)(?: (.*))?$/.exec(line);
      if (m) results.set(m[1], m[2] === 'ok' ? 'ok' : (m[3] ?? 'failed'));
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ results, stderr });
    });
  });
}

/** A TLS front for a loopback port, as a deployment puts before Hearth: https://<host>:443 with its own certificate. */
export interface TlsFront {
  host: string;
  /** The self-signed certificate (PEM), for clients to trust. */
  ca: string;
  close(): Promise<void>;
}

/**
 * Serves TLS on port 443 of a random 127.x.y.z address (clients that only speak HTTPS on 443, such as Eris, reach it
 * by host name alone), forwarding each connection to `targetPort` on 127.0.0.1. The certificate is made by openssl.
 */
export async function tlsFront(targetPort: number): Promise<TlsFront> {
  const octet = () => 1 + Math.floor(Math.random() * 250);
  const host = `127.${octet()}.${octet()}.${octet()}`;
  const dir = mkdtempSync(join(tmpdir(), 'hearth-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=hearth.test',
      '-addext',
      `subjectAltName=IP:${host}`,
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  const open = new Set<{ destroy(): void }>();
  const server = createServer({ key, cert }, (socket) => {
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(443, host, () => resolve());
  });
  return {
    host,
    ca: cert,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
