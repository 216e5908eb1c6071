import { join } from 'node:path';
import { closeReceivers, connectReceivers, INVISIBLE } from '../lib/fanout.mjs';
import { phaseProfiler, transactions } from '../lib/metrics.mjs';
import { call } from '../lib/seed.mjs';
import { openTarget } from '../lib/setup.mjs';
import { cpuSeconds, round, sleep } from '../lib/util.mjs';

export const title = 'Identify';

/** Longer than PostgreSQL backends take to report their statistics once idle (see `transactions`). */
const STATS_SETTLE_MS = 11_000;

/**
 * IDENTIFY→READY per second and its p99 for users who are each in a few guilds, 20 identifies in flight:
 * once identifying online (each one's presence goes to every connected member), once invisible. Also the
 * database transactions (one per statement outside a transaction) and Hearth CPU per identify. With --profile,
 * Hearth's CPU profile covers each identify phase only.
 */
export async function run(ctx) {
  const config = {
    users: ctx.quick ? 100 : 1000,
    warmup: ctx.quick ? 50 : 500,
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
    // A warm-up round, so that the measured identifies run on optimized code as a server that has been up a while
    // does (the first identifies otherwise pay for compiling the gateway's hot paths).
    ctx.log(`warm-up: identifying ${config.warmup} users invisible`);
    const warm = await connectReceivers({
      urls: [`${url}?v=10&encoding=json`],
      tokens: target.tokens.slice(-config.warmup),
      count: config.warmup,
      guilds: config.guilds,
      concurrency: config.inFlight,
      presence: INVISIBLE,
    });
    await closeReceivers(warm.clients);
    const variants = {};
    for (const [name, presence] of [
      ['online', null],
      ['invisible', INVISIBLE],
    ]) {
      await sleep(STATS_SETTLE_MS);
      const txBefore = await transactions(target.db.url);
      ctx.log(`identifying ${config.users} users ${name}`);
      const cpuBefore = cpuSeconds(target.hearth.pid);
      await profiler?.start();
      const rx = await connectReceivers({
        urls: [`${url}?v=10&encoding=json`],
        tokens: target.tokens,
        count: config.users,
        guilds: config.guilds,
        concurrency: config.inFlight,
        presence,
      });
      const cpu = cpuSeconds(target.hearth.pid) - cpuBefore;
      await profiler?.stop(join(ctx.profileDir, `identify-${name}.cpuprofile`));
      await sleep(STATS_SETTLE_MS);
      // The reading of `txBefore` is itself one transaction.
      const tx = (await transactions(target.db.url)) - txBefore - 1;
      await closeReceivers(rx.clients);
      const r = rx.results[0];
      variants[name] = {
        connected: rx.connected,
        seconds: rx.seconds,
        perSecond: r.perSecond,
        readyMs: r.readyMs,
        guildsMs: r.guildsMs,
        statementsPerIdentify: round(tx / rx.connected, 1),
        cpuMsPerIdentify: round((cpu * 1000) / rx.connected, 2),
      };
    }
    return {
      config,
      postgres: target.postgres,
      figures: variants,
      table: Object.entries(variants).flatMap(([name, v]) => [
        {
          measure: `${name}: IDENTIFY→READY per second`,
          hearth: v.perSecond.toFixed(0),
          goal: '≥ 1000/s',
          met: v.perSecond >= 1000 && v.connected === config.users,
        },
        {
          measure: `${name}: READY p50 / p99 ms`,
          hearth: `${v.readyMs.p50} / ${v.readyMs.p99}`,
          goal: 'p99 ≤ 50 ms',
          met: v.readyMs.p99 <= 50,
        },
        {
          measure: `${name}: last GUILD_CREATE p50 / p99 ms`,
          hearth: `${v.guildsMs.p50} / ${v.guildsMs.p99}`,
        },
        {
          measure: `${name}: database statements, Hearth CPU ms per identify`,
          hearth: `${v.statementsPerIdentify}, ${v.cpuMsPerIdentify}`,
        },
      ]),
    };
  } finally {
    profiler?.close();
    await target.close();
  }
}
