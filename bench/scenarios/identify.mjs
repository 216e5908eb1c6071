import { closeReceivers, connectReceivers, INVISIBLE } from '../lib/fanout.mjs';
import { call } from '../lib/seed.mjs';
import { openTarget } from '../lib/setup.mjs';

export const title = 'Identify';

/**
 * IDENTIFY→READY per second and its p99 for users who are each in a few guilds, 20 identifies in flight:
 * once identifying online (each one's presence goes to every connected member), once invisible.
 */
export async function run(ctx) {
  const config = { users: ctx.quick ? 100 : 1000, guilds: 3, channelsPerGuild: 5, inFlight: 20 };
  const target = await openTarget(
    { ...ctx, target: null },
    { users: config.users, guilds: config.guilds, channels: config.channelsPerGuild },
  );
  try {
    const { url } = await call(target.api, 'GET', '/gateway');
    const variants = {};
    for (const [name, presence] of [
      ['online', null],
      ['invisible', INVISIBLE],
    ]) {
      ctx.log(`identifying ${config.users} users ${name}`);
      const rx = await connectReceivers({
        urls: [`${url}?v=10&encoding=json`],
        tokens: target.tokens,
        count: config.users,
        guilds: config.guilds,
        concurrency: config.inFlight,
        presence,
      });
      await closeReceivers(rx.clients);
      const r = rx.results[0];
      variants[name] = {
        connected: rx.connected,
        seconds: rx.seconds,
        perSecond: r.perSecond,
        readyMs: r.readyMs,
        guildsMs: r.guildsMs,
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
      ]),
    };
  } finally {
    await target.close();
  }
}
