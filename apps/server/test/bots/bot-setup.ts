import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Permission } from '@hearth/permissions';
import { ApplicationFlags } from '@hearth/protocol';
import { createGuild, type TestGuild } from '../guild-helpers';
import { freePort, startHearth, type TestServer } from '../harness';

export interface BotWorld {
  h: TestServer;
  g: TestGuild;
  /** The bot's token, without the `Bot ` prefix (libraries add it). */
  token: string;
  applicationId: string;
  botUserId: string;
}

/**
 * A running Hearth (its public URL on its real port, so GET /gateway/bot leads libraries to it) with a guild whose
 * owner added an ADMINISTRATOR bot holding the message-content and members intents, as a bot author sets it up.
 */
export async function botWorld(name: string): Promise<BotWorld> {
  const port = await freePort();
  const h = await startHearth({ port, publicUrl: `http://127.0.0.1:${port}` });
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
  return { h, g, token, applicationId: app.id, botUserId: app.bot.id };
}

/** Each flow's outcome: 'ok', or the error the bot reported. */
export type FlowResults = Map<string, string>;

/**
 * Runs a bot program that prints `READY` when it waits for `ping` from the owner, `FLOW <name> ok|fail <error>`
 * per flow and `DONE` at the end; resolves with the outcomes once it exits (or is stopped after `timeoutMs`).
 */
export function runBotProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  onReady: () => Promise<void>,
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
      if (line === 'READY') onReady().catch((err) => results.set('ready', String(err)));
      const m = /^FLOW (.+?) (ok|fail)(?: (.*))?$/.exec(line);
      if (m) results.set(m[1], m[2] === 'ok' ? 'ok' : (m[3] ?? 'failed'));
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ results, stderr });
    });
  });
}
