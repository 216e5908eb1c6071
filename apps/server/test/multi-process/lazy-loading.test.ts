import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort } from '../harness';
import { callApi, startProcess, waitForHealth } from '../process';

// The libraries Hearth loads on first use (ADR 0047; docs/performance.md, idle RSS): an eager import of any of them
// coming back costs tens of MB of every idle instance, and nothing but this test would notice before a benchmark.
const onFirstUse = ['@fedify/', 'sharp', 'werift', '@aws-sdk/', 'nodemailer'];
const recorder = new URL('../record-loads.mjs', import.meta.url).pathname;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The packages under node_modules among the module URLs a process resolved. */
function packagesIn(urls: string[]): Set<string> {
  const names = new Set<string>();
  for (const url of urls) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

describe('libraries loaded on first use', () => {
  test('a Hearth process that serves chat loads none of them; the first federation request loads Fedify', {
    timeout: 600_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-lazy-'));
    dirs.push(dataDir);
    const port = await freePort();
    const loads = join(dataDir, 'loads.txt');
    const run = async (work: (p: ReturnType<typeof startProcess>) => Promise<void>) => {
      const p = startProcess({
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: dataDir,
        AUTH_RATE_LIMIT: '100000',
        LOG_LEVEL: 'warn',
        NODE_OPTIONS: `--import=${recorder}`,
        HEARTH_RECORD_LOADS: loads,
      });
      try {
        await waitForHealth(p);
        await work(p);
      } finally {
        p.child.kill('SIGTERM');
        await p.exited;
      }
      return packagesIn(readFileSync(loads, 'utf8').split('\n'));
    };

    // Chat as people use it: an account, a server, a message, a look at history.
    const chat = await run(async (p) => {
      const reg = await callApi(p, 'POST', '/auth/register', undefined, {
        email: 'lazy@example.test',
        username: 'lazy',
        password: 'long enough',
      });
      assert.equal(reg.status, 201, JSON.stringify(reg.body));
      const token = reg.body.token as string;
      const guild = await callApi(p, 'POST', '/guilds', token, { name: 'Lazy' });
      const channels = await callApi(p, 'GET', `/guilds/${guild.body.id}/channels`, token);
      const channelId = channels.body.find((c: { type: number }) => c.type === 0).id as string;
      assert.equal(
        (await callApi(p, 'POST', `/channels/${channelId}/messages`, token, { content: 'hi' })).status,
        200,
      );
      assert.equal((await callApi(p, 'GET', `/channels/${channelId}/messages`, token)).status, 200);
    });
    // The recorder saw the process's own libraries: without them this test could not fail.
    for (const used of ['fastify', 'ws']) assert.ok(chat.has(used), `the recorder saw ${used}`);
    for (const lib of onFirstUse) {
      const loaded = [...chat].filter((name) => name === lib || name.startsWith(lib));
      assert.deepEqual(loaded, [], `${lib} is loaded only when first needed`);
    }

    // A WebFinger request is federation's: Fedify comes in for it (and only then).
    const federated = await run(async (p) => {
      const res = await fetch(`${p.url}/.well-known/webfinger?resource=acct:lazy@127.0.0.1:${port}`);
      assert.equal(res.status, 200);
    });
    assert.ok(
      [...federated].some((name) => name.startsWith('@fedify/')),
      'the first federation request loads Fedify',
    );
  });
});
