import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, SECRET_KEY } from '../lib/hearth.mjs';
import { liveHeap } from '../lib/metrics.mjs';
import { round, sleep } from '../lib/util.mjs';

export const title = 'Idle RSS of the embedded default';

/** Memory the process holds, from /proc: resident now and its peak (kB → bytes). */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/**
 * Starts Hearth the way `npm start` does (`node --import tsx scripts/start.mjs`, PGlite under a fresh DATA_DIR, no
 * DATABASE_URL), waits until /health answers and then `settleMs` with nothing to do, and reads its memory. `heap` adds
 * the live JS heap after a full GC through the inspector (the inspector's own cost is a few MB, so the RSS row
 * is read before it).
 */
async function startAndRead(dataDir, settleMs) {
  const port = await freePort();
  const inspectPort = await freePort();
  const child = spawn(
    process.execPath,
    [`--inspect=127.0.0.1:${inspectPort}`, '--import', 'tsx', 'scripts/start.mjs'],
    {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        REDIS_URL: '',
        SECRET_KEY,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    const deadline = Date.now() + 600_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Hearth exited with ${child.exitCode} at start`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
      } catch {}
      if (Date.now() > deadline) throw new Error('Hearth did not start within 600 s');
      await sleep(500);
    }
    const atListen = memory(child.pid);
    await sleep(settleMs);
    const settled = memory(child.pid);
    const heap = await liveHeap(inspectPort);
    return { atListen: atListen.rss, settled: settled.rss, peak: settled.peak, heap };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
}

/**
 * The embedded default's memory at rest (issue 26: ≤ 200 MB): a first start on a fresh data directory (initdb and
 * every migration) and a restart on it. These are counts of bytes, not timings, so they hold on a busy machine. The
 * web app is built beforehand by the bench's caller, as on any start after the first.
 */
export async function run(ctx) {
  const config = { settleMs: ctx.quick ? 10_000 : 30_000 };
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-idle-rss-'));
  try {
    ctx.log('first start on a fresh data directory');
    const first = await startAndRead(dataDir, config.settleMs);
    ctx.log('restart on the same data directory');
    const restart = await startAndRead(dataDir, config.settleMs);
    const mb = (b) => round(b / 1048576, 0);
    const row = (measure, key, goal) => ({
      measure,
      hearth: `${mb(first[key])} / ${mb(restart[key])}`,
      goal: goal ? '≤ 200 MB' : undefined,
      met: goal ? Math.max(first[key], restart[key]) <= 200 * 1048576 : undefined,
    });
    return {
      config,
      figures: { first, restart },
      table: [
        row('RSS when listening, MB (first start / restart)', 'atListen', false),
        row(`RSS after ${config.settleMs / 1000} s idle, MB (first start / restart)`, 'settled', true),
        row('peak RSS since the process started, MB (first start / restart)', 'peak', false),
        row('live JS heap after a full GC, MB (first start / restart)', 'heap', false),
      ],
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
