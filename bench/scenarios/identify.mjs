import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startBare } from '../lib/bare.mjs';
import { closeReceivers, connectReceivers, INVISIBLE } from '../lib/fanout.mjs';
import { phaseProfiler, transactions } from '../lib/metrics.mjs';
import { call } from '../lib/seed.mjs';
import { openTarget } from '../lib/setup.mjs';
import { cpuSeconds, ratio, round, sleep } from '../lib/util.mjs';

export const title = 'Identify';

/**
 * Each round's clients close with 1000, ending their sessions, so a round starts with its users offline and no
 * round's sessions linger (kept for a resume, READY and GUILD_CREATEs in their buffers) into the next.
 */
const ENDED = { ended: true };

/** Between the rounds of one variant. */
const ROUND_PAUSE_MS = 1000;

/** Longer than PostgreSQL backends take to report their statistics once idle (see `transactions`). */
const STATS_SETTLE_MS = 11_000;

/**
 * IDENTIFY→READY per second and its p99 for users who are each in a few guilds, 20 identifies in flight:
 * once identifying online (each one's presence is recorded and published to its guilds), once invisible. Also the
 * database transactions (one per statement outside a transaction) and Hearth CPU per identify. The ceiling is a
 * bare `ws` server answering each IDENTIFY with the frames Hearth sent one of these users (READY and its
 * GUILD_CREATEs), loaded by the same clients. Each is measured in three rounds 1 s apart (one with --quick) and the
 * round of the median rate reported; every round's rate, p99 and CPU are in the results file. Hearth then runs one
 * more round of each variant after 11 s of quiet, which counts the statements and is reported apart. With --profile,
 * Hearth's CPU profile covers the first round of each variant.
 */
export async function run(ctx) {
  const config = {
    users: ctx.quick ? 100 : 1000,
    warmup: ctx.quick ? 50 : 1000,
    rounds: ctx.quick ? 1 : 3,
    guilds: 3,
    channelsPerGuild: 5,
    inFlight: 20,
  };
  const target = await openTarget(
    { ...ctx, target: null, profileDir: null },
    { users: config.users, guilds: config.guilds, channels: config.channelsPerGuild },
    { inspect: !!ctx.profileDir },
  );
  const profiler = ctx.profileDir ? await phaseProfiler(target.hearth.inspectPort) : null;
  try {
    const { url } = await call(target.api, 'GET', '/gateway');
    // Warm-up rounds, online and invisible, so that the measured identifies run on optimized code as a server that
    // has been up a while does (the first identifies otherwise pay for compiling the gateway's hot paths).
    for (const [name, presence] of [
      ['online', null],
      ['invisible', INVISIBLE],
    ]) {
      ctx.log(`warm-up: identifying ${config.warmup} users ${name}`);
      const warm = await identifyRound(
        `${url}?v=10&encoding=json`,
        target.tokens.slice(-config.warmup),
        config,
        presence,
        config.warmup,
      );
      await closeReceivers(warm.clients, ENDED);
    }
    const frames = await identifyFrames(url, target.tokens[0], config.guilds);
    const variants = {};
    for (const [name, presence] of [
      ['online', null],
      ['invisible', INVISIBLE],
    ]) {
      ctx.log(`identifying ${config.users} users ${name}, ${config.rounds} rounds, then one after quiet`);
      const rounds = [];
      const gateway = `${url}?v=10&encoding=json`;
      for (let i = 0; i < config.rounds; i++) {
        await sleep(ROUND_PAUSE_MS);
        if (i === 0) await profiler?.start();
        const measured = await measuredRound(gateway, target.tokens, config, presence, target.hearth.pid);
        if (i === 0) await profiler?.stop(join(ctx.profileDir, `identify-${name}.cpuprofile`));
        await closeReceivers(measured.clients, ENDED);
        rounds.push(measured.figures);
      }
      // One more round after the server has been quiet for STATS_SETTLE_MS, which counts the statements. It is
      // reported apart: V8 sizes its heap from the recent allocation rate, so the first identifies after a lull
      // run with a small heap limit and pay for several more full collections (docs/performance.md, seventh round).
      await sleep(STATS_SETTLE_MS);
      const txBefore = await transactions(target.db.url);
      const quiet = await measuredRound(gateway, target.tokens, config, presence, target.hearth.pid);
      await sleep(STATS_SETTLE_MS);
      // The reading of `txBefore` is itself one transaction; the sessions are still open, so none has ended yet.
      const tx = (await transactions(target.db.url)) - txBefore - 1;
      await closeReceivers(quiet.clients, ENDED);
      const afterQuiet = quiet.figures;
      variants[name] = {
        ...medianRound(rounds),
        statementsPerIdentify: round(tx / afterQuiet.connected, 1),
        rounds: rounds.map(({ perSecond, readyMs, cpuMsPerIdentify }) => ({
          perSecond: round(perSecond, 1),
          readyP99: readyMs.p99,
          cpuMsPerIdentify,
        })),
        afterQuiet: {
          perSecond: round(afterQuiet.perSecond, 1),
          readyMs: afterQuiet.readyMs,
          cpuMsPerIdentify: afterQuiet.cpuMsPerIdentify,
        },
      };
    }
    ctx.log(`ceiling: a bare ws server answering ${config.users} identifies`);
    const ceiling = await bareIdentifies(frames, target.tokens, config);
    return {
      config,
      postgres: target.postgres,
      figures: { ...variants, ceiling },
      table: Object.entries(variants).flatMap(([name, v]) => [
        {
          measure: `${name}: IDENTIFY→READY per second`,
          hearth: v.perSecond.toFixed(0),
          ceiling: ceiling.perSecond.toFixed(0),
          ratio: ratio(v.perSecond, ceiling.perSecond),
          goal: '≥ 1000/s',
          met: v.perSecond >= 1000 && v.connected === config.users,
        },
        {
          measure: `${name}: READY p50 / p99 ms`,
          hearth: `${v.readyMs.p50} / ${v.readyMs.p99}`,
          ceiling: `${ceiling.readyMs.p50} / ${ceiling.readyMs.p99}`,
          goal: 'p99 ≤ 50 ms',
          met: v.readyMs.p99 <= 50,
        },
        {
          measure: `${name}: each round's per second, READY p99 ms`,
          hearth: v.rounds.map((r) => `${r.perSecond.toFixed(0)}, ${r.readyP99}`).join(' · '),
        },
        {
          measure: `${name}: after ${STATS_SETTLE_MS / 1000} s of quiet: per second, READY p99 ms, Hearth CPU ms per identify`,
          hearth: `${v.afterQuiet.perSecond.toFixed(0)}, ${v.afterQuiet.readyMs.p99}, ${v.afterQuiet.cpuMsPerIdentify}`,
        },
        {
          measure: `${name}: last GUILD_CREATE p50 / p99 ms`,
          hearth: `${v.guildsMs.p50} / ${v.guildsMs.p99}`,
        },
        {
          measure: `${name}: database statements, Hearth CPU ms per identify`,
          hearth: `${v.statementsPerIdentify}, ${v.cpuMsPerIdentify}`,
          ceiling: `0, ${ceiling.cpuMsPerIdentify}`,
        },
      ]),
    };
  } finally {
    profiler?.close();
    await target.close();
  }
}

/** The frames one identify gets from Hearth: READY and its `guilds` GUILD_CREATEs, as sent. */
function identifyFrames(url, token, guilds) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}?v=10&encoding=json`, { perMessageDeflate: false });
    const frames = [];
    ws.on('error', reject);
    ws.on('message', (data) => {
      const text = data.toString();
      const { op, t } = JSON.parse(text);
      if (op === 10)
        ws.send(JSON.stringify({ op: 2, d: { token, intents: 513, properties: {}, presence: INVISIBLE } }));
      if (t === 'READY' || t === 'GUILD_CREATE') frames.push(text);
      if (frames.length === 1 + guilds) {
        ws.close(1000);
        resolve(frames);
      }
    });
  });
}

/** One round against the server with process `pid`: its clients (still open), its figures and that CPU per identify. */
async function measuredRound(url, tokens, config, presence, pid) {
  const cpuBefore = cpuSeconds(pid);
  const rx = await identifyRound(url, tokens, config, presence);
  const cpu = cpuSeconds(pid) - cpuBefore;
  return {
    clients: rx.clients,
    figures: { ...roundFigures(rx), cpuMsPerIdentify: round((cpu * 1000) / rx.connected, 2) },
  };
}

/** One round: `config.users` identifies, `config.inFlight` at a time; resolves to the clients and how it went. */
function identifyRound(url, tokens, config, presence = null, count = config.users) {
  return connectReceivers({
    urls: [url],
    tokens,
    count,
    guilds: config.guilds,
    concurrency: config.inFlight,
    presence,
  });
}

function roundFigures(rx) {
  const r = rx.results[0];
  return {
    connected: rx.connected,
    seconds: rx.seconds,
    perSecond: r.perSecond,
    readyMs: r.readyMs,
    guildsMs: r.guildsMs,
  };
}

/** The round whose rate is the median of the rounds': what is reported, with all of its figures. */
function medianRound(rounds) {
  return [...rounds].sort((a, b) => a.perSecond - b.perSecond)[Math.floor((rounds.length - 1) / 2)];
}

/** The same identifies against the bare ws server answering with `frames`: the ceiling of this machine. */
async function bareIdentifies(frames, tokens, config) {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-identify-'));
  const file = join(dir, 'frames.json');
  writeFileSync(file, JSON.stringify(frames));
  const bare = await startBare('bare-ws', { BARE_IDENTIFY_FILE: file });
  const url = `${bare.url.replace(/^http/, 'ws')}/gateway?v=10&encoding=json`;
  try {
    // Warmed up as Hearth is, and measured over as many rounds.
    await closeReceivers((await identifyRound(url, tokens, config, null, config.warmup)).clients, ENDED);
    const rounds = [];
    for (let i = 0; i < config.rounds; i++) {
      await sleep(ROUND_PAUSE_MS);
      const measured = await measuredRound(url, tokens, config, null, bare.pid);
      await closeReceivers(measured.clients, ENDED);
      rounds.push(measured.figures);
    }
    return medianRound(rounds);
  } finally {
    await bare.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
