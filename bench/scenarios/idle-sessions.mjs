import { join } from 'node:path';
import { startBare } from '../lib/bare.mjs';
import { closeReceivers, connectReceivers } from '../lib/fanout.mjs';
import { coreShare, liveHeap, phaseProfiler, rssBytes } from '../lib/metrics.mjs';
import { call } from '../lib/seed.mjs';
import { openTarget } from '../lib/setup.mjs';
import { ratio, round, sleep } from '../lib/util.mjs';

export const title = 'Idle sessions';

/** Longer than V8's memory reducer takes to finish after a full collection (three collections ~8 s apart at most). */
const SETTLE_MS = 30_000;

/**
 * Memory per identified, heartbeating session at 10,000 sessions (`--sessions N` for another count; one process
 * here holds at most ~19,000, its open-file limit being 20,000) (RSS and heap, before and after connecting), and
 * the share of a core the process uses over a window longer than a heartbeat interval while they only heartbeat.
 * The ceiling is a bare `ws` server holding the same sockets and answering the same heartbeats. With --profile,
 * Hearth's CPU profile covers the heartbeat window only (and the profiler's own cost inflates that window's CPU).
 */
export async function run(ctx) {
  const config = {
    sessions: ctx.sessions ?? (ctx.quick ? 200 : 10_000),
    windowMs: ctx.quick ? 6000 : 50_000,
    heartbeatMs: 41_250,
    guildMembers: null,
  };
  config.guildMembers = config.sessions;
  const target = await openTarget(
    { ...ctx, target: null },
    { users: config.sessions, guilds: 1, channels: 1 },
    { inspect: true },
  );
  try {
    const { url } = await call(target.api, 'GET', '/gateway');
    const hearth = await measure(ctx, config, {
      label: 'hearth',
      pid: target.hearth.pid,
      heap: () => liveHeap(target.hearth.inspectPort),
      url: `${url}?v=10&encoding=json`,
      tokens: target.tokens,
      profile: ctx.profileDir
        ? {
            port: target.hearth.inspectPort,
            file: join(ctx.profileDir, 'idle-sessions-heartbeats.cpuprofile'),
          }
        : null,
    });
    const bare = await startBare(
      'bare-ws',
      { BARE_HEARTBEAT_MS: String(config.heartbeatMs) },
      { inspect: true },
    );
    let ceiling;
    try {
      ceiling = await measure(ctx, config, {
        label: 'bare',
        pid: bare.pid,
        heap: () => liveHeap(bare.inspectPort),
        url: `${bare.url.replace('http', 'ws')}/gateway`,
        tokens: null,
      });
    } finally {
      await bare.stop();
    }
    const kb = (b) => round(b / 1024, 1);
    return {
      config,
      postgres: target.postgres,
      figures: { hearth, ceiling },
      table: [
        {
          measure: 'sessions connected (open at the end)',
          hearth: `${hearth.connected} (${hearth.openAtEnd})`,
          ceiling: `${ceiling.connected} (${ceiling.openAtEnd})`,
          goal: `${config.sessions}`,
          met: hearth.openAtEnd === config.sessions,
        },
        {
          measure: 'RSS per session (after a full GC), KB',
          hearth: kb(hearth.rssPerSession),
          ceiling: kb(ceiling.rssPerSession),
          ratio: ratio(ceiling.rssPerSession, hearth.rssPerSession),
          goal: '≤ 20 KB',
          met: hearth.rssPerSession <= 20 * 1024,
        },
        {
          measure: 'live heap per session (after a full GC), KB',
          hearth: kb(hearth.heapPerSession),
          ceiling: kb(ceiling.heapPerSession),
          ratio: ratio(ceiling.heapPerSession, hearth.heapPerSession),
          goal: '≤ 20 KB',
          met: hearth.heapPerSession <= 20 * 1024,
        },
        {
          measure: 'CPU while heartbeating, % of a core',
          hearth: round(hearth.cpu * 100, 2),
          ceiling: round(ceiling.cpu * 100, 2),
          ratio: ratio(ceiling.cpu, hearth.cpu),
          goal: '≤ 2%',
          met: hearth.cpu <= 0.02,
        },
      ],
    };
  } finally {
    await target.close();
  }
}

async function measure(ctx, config, { label, pid, heap, url, tokens, profile = null }) {
  await sleep(2000);
  const heap0 = await heap(); // collects garbage first, so RSS is measured after a full GC too
  const rss0 = rssBytes(pid);
  const idleCpu = await coreShare(pid, 3000);
  ctx.log(`${label}: connecting ${config.sessions} sessions`);
  const rx = await connectReceivers({ urls: [url], tokens, count: config.sessions });
  try {
    await sleep(ctx.quick ? 2000 : 5000); // let the connection work (GUILD_CREATEs, buffers) finish
    // Memory after a full GC. The window starts once the heap has settled: V8 follows a collection in a process that
    // has stopped allocating with a few more, seconds apart, to shrink its heap (its "memory reducer"); those, and
    // collecting what connecting left, are the cost of connecting, not of heartbeats.
    const heap1 = await heap();
    const rss1 = rssBytes(pid);
    await sleep(ctx.quick ? 2000 : SETTLE_MS);
    ctx.log(`${label}: ${config.windowMs / 1000} s of heartbeats`);
    const profiler = profile ? await phaseProfiler(profile.port) : null;
    await profiler?.start();
    const cpu = await coreShare(pid, config.windowMs);
    await profiler?.stop(profile.file);
    profiler?.close();
    const reports = await Promise.all(rx.clients.map((c) => c.call('report', { expected: 0 })));
    return {
      connected: rx.connected,
      connectSeconds: rx.seconds,
      openAtEnd: reports.reduce((n, r) => n + r.open, 0),
      rssBefore: rss0,
      rssAfter: rss1,
      heapBefore: heap0,
      heapAfter: heap1,
      rssPerSession: (rss1 - rss0) / rx.connected,
      heapPerSession: (heap1 - heap0) / rx.connected,
      idleCpuBefore: idleCpu,
      cpu,
      heartbeatsPerSecond: round(rx.connected / (config.heartbeatMs / 1000), 0),
    };
  } finally {
    await closeReceivers(rx.clients);
  }
}
