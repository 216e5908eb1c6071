import { startBare } from '../lib/bare.mjs';
import { fanoutRun } from '../lib/fanout.mjs';
import { call } from '../lib/seed.mjs';
import { openTarget } from '../lib/setup.mjs';
import { ratio } from '../lib/util.mjs';

export const title = 'Fan-out';

/**
 * One channel watched by 100, 1,000 and 10,000 identified sessions; a sender posts at a fixed rate (20,000
 * deliveries/s in all), then as fast as it can. Every recipient times every delivery; none may be missed.
 * The ceiling is a bare `ws` broadcast server with the same sockets and frame size.
 */
export async function run(ctx) {
  // BENCH_FANOUT_SIZES=1000 (comma-separated) measures only those audiences, e.g. to compare two commits quickly.
  const sizes = process.env.BENCH_FANOUT_SIZES
    ? process.env.BENCH_FANOUT_SIZES.split(',').map(Number)
    : ctx.quick
      ? [100, 200]
      : [100, 1000, 10_000];
  const config = {
    sessions: sizes,
    deliveriesPerSecond: 20_000,
    phaseMs: ctx.quick ? 1500 : 10_000,
    senderConcurrencyAtSaturation: 8,
  };
  const target = await openTarget(ctx, { users: Math.max(...sizes), guilds: 1, channels: 1 });
  try {
    const { url } = await call(target.api, 'GET', '/gateway');
    const channel = target.channels[0];
    const runs = [];
    for (const count of sizes) {
      const rate = Math.round(config.deliveriesPerSecond / count);
      const hearth = await fanoutRun({
        ctx,
        label: 'hearth',
        urls: [`${url}?v=10&encoding=json`],
        tokens: target.tokens,
        count,
        rate,
        phaseMs: config.phaseMs,
        sender: { target: target.api, path: `/v10/channels/${channel}/messages`, token: target.ownerToken },
        serverPids: target.hearth ? [target.hearth.pid] : [],
      });
      const bare = await startBare('bare-ws', { BARE_FRAME_BYTES: String(hearth.fixed.frameBytes || 800) });
      let ceiling;
      try {
        ceiling = await fanoutRun({
          ctx,
          label: 'bare',
          urls: [`${bare.url.replace('http', 'ws')}/gateway`],
          tokens: null,
          count,
          rate,
          phaseMs: config.phaseMs,
          sender: { target: bare.url, path: '/send' },
          serverPids: [bare.pid],
        });
      } finally {
        await bare.stop();
      }
      runs.push({ count, rate, hearth, ceiling });
    }
    return { config, postgres: target.postgres, figures: { runs }, table: runs.flatMap(rows) };
  } finally {
    await target.close();
  }
}

/** The table rows of one audience size, shared with the scale-out scenario. */
export function rows({ count, rate, hearth, ceiling }) {
  const h = hearth.fixed;
  const b = ceiling.fixed;
  const missed = hearth.fixed.missed + hearth.saturation.missed;
  return [
    {
      measure: `${count} sessions, ${rate} msg/s: deliveries/s, p50 / p99 ms`,
      hearth: `${h.deliveriesPerSecond}, ${h.latencyMs.p50} / ${h.latencyMs.p99}`,
      ceiling: `${b.deliveriesPerSecond}, ${b.latencyMs.p50} / ${b.latencyMs.p99}`,
      goal: count === 1000 ? 'p99 ≤ 30 ms' : '',
      met: count === 1000 ? h.latencyMs.p99 <= 30 : null,
    },
    {
      measure: `${count} sessions, saturation: deliveries/s`,
      hearth: hearth.saturation.deliveriesPerSecond,
      ceiling: ceiling.saturation.deliveriesPerSecond,
      ratio: ratio(hearth.saturation.deliveriesPerSecond, ceiling.saturation.deliveriesPerSecond),
      goal: count === 1000 ? 'ratio ≥ 0.7' : '',
      met:
        count === 1000
          ? hearth.saturation.deliveriesPerSecond >= 0.7 * ceiling.saturation.deliveriesPerSecond
          : null,
    },
    {
      measure: `${count} sessions, saturation: server CPU ms per 1,000 deliveries`,
      hearth: hearth.saturation.serverCpuMsPer1000Deliveries,
      ceiling: ceiling.saturation.serverCpuMsPer1000Deliveries,
      ratio: ratio(
        ceiling.saturation.serverCpuMsPer1000Deliveries,
        hearth.saturation.serverCpuMsPer1000Deliveries,
      ),
    },
    {
      measure: `${count} sessions: deliveries missed / expected (both phases)`,
      hearth: `${missed} / ${h.expectedDeliveries + hearth.saturation.expectedDeliveries}`,
      ceiling: `${b.missed + ceiling.saturation.missed} / ${b.expectedDeliveries + ceiling.saturation.expectedDeliveries}`,
      goal: 'none missed',
      met: missed === 0 && hearth.sessions === count,
    },
  ];
}
