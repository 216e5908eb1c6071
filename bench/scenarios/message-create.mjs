import pg from 'pg';
import { startBare } from '../lib/bare.mjs';
import { snowflakeAt } from '../lib/seed.mjs';
import { openTarget, sampleMessage } from '../lib/setup.mjs';
import { ratio } from '../lib/util.mjs';
import { httpLoad, httpLoadWithCpu } from '../lib/workers.mjs';

export const title = 'Message create';

/** POST /channels/:id/messages from many authors into many channels: fixed offered rates, then saturation. */
export async function run(ctx) {
  const config = {
    authors: ctx.quick ? 50 : 200,
    channels: ctx.quick ? 10 : 20,
    rates: [250, 1000],
    phaseMs: ctx.quick ? 1500 : 15_000,
    saturationConcurrency: 64,
  };
  const target = await openTarget(ctx, { users: config.authors, guilds: 1, channels: config.channels });
  try {
    const base = { target: target.api, kind: 'create', tokens: target.tokens, channels: target.channels };
    const sample = await sampleMessage(target);
    ctx.log('warm-up');
    const warmup = await httpLoad({ ...base, concurrency: 16, durationMs: ctx.quick ? 1000 : 3000 });
    const rates = [];
    for (const rate of config.rates) {
      ctx.log(`offered ${rate}/s`);
      rates.push({ rate, ...(await httpLoad({ ...base, rate, durationMs: config.phaseMs })) });
    }
    ctx.log('saturation');
    const saturation = await httpLoadWithCpu(
      {
        ...base,
        concurrency: config.saturationConcurrency,
        durationMs: config.phaseMs,
      },
      target.hearth?.pid,
    );

    let persisted = null;
    let pgInsert = null;
    if (target.db) {
      const c = new pg.Client({ connectionString: target.db.url });
      await c.connect();
      persisted = Number(
        (await c.query(`SELECT count(*) FROM messages WHERE content LIKE 'bench message %'`)).rows[0].count,
      );
      await c.end();
      ctx.log('ceiling: raw pg insert');
      pgInsert = await httpLoadWithCpu({
        kind: 'pg-insert',
        databaseUrl: target.db.url,
        concurrency: config.saturationConcurrency,
        poolSize: 20,
        durationMs: config.phaseMs,
        baseId: String(snowflakeAt(Date.now() + 86_400_000)),
        channels: target.channels,
        guildId: target.world.guilds[0].id,
        authorId: target.world.owner.id,
      });
    }
    ctx.log('ceiling: bare fastify route');
    const bare = await startBare('bare-http', { BARE_MESSAGE: JSON.stringify(sample) });
    let bareSat;
    try {
      await httpLoad({ ...base, target: `${bare.url}/api`, concurrency: 16, durationMs: 1000 });
      bareSat = await httpLoad({
        ...base,
        target: `${bare.url}/api`,
        concurrency: config.saturationConcurrency,
        durationMs: config.phaseMs,
      });
    } finally {
      await bare.stop();
    }
    const acknowledged = warmup.ok + rates.reduce((n, r) => n + r.ok, 0) + saturation.ok;
    return {
      config,
      postgres: target.postgres,
      figures: { rates, saturation, persisted, acknowledged, ceilings: { bareFastify: bareSat, pgInsert } },
      table: [
        ...rates.map((r) => ({
          measure: `offered ${r.rate}/s: achieved/s, p50 / p99 ms`,
          hearth: `${r.perSecond.toFixed(0)}, ${r.latencyMs.p50} / ${r.latencyMs.p99}`,
          goal: r.rate === 1000 ? 'p99 ≤ 20 ms' : '',
          met: r.rate === 1000 ? r.latencyMs.p99 <= 20 && r.ok >= r.requests * 0.99 : null,
        })),
        {
          measure: 'saturation: messages/s (vs bare fastify route)',
          hearth: saturation.perSecond.toFixed(0),
          ceiling: bareSat.perSecond.toFixed(0),
          ratio: ratio(saturation.perSecond, bareSat.perSecond),
          goal: '≥ 3000/s',
          met: saturation.perSecond >= 3000,
        },
        ...(pgInsert
          ? [
              {
                measure: 'saturation: messages/s (vs raw pg INSERT, pool 20)',
                hearth: saturation.perSecond.toFixed(0),
                ceiling: pgInsert.perSecond.toFixed(0),
                ratio: ratio(saturation.perSecond, pgInsert.perSecond),
              },
              {
                measure: 'saturation p50 / p99 ms',
                hearth: `${saturation.latencyMs.p50} / ${saturation.latencyMs.p99}`,
                ceiling: `${pgInsert.latencyMs.p50} / ${pgInsert.latencyMs.p99}`,
              },
              {
                measure:
                  'saturation: CPU ms per message, Hearth / PostgreSQL (ceiling: PostgreSQL per INSERT)',
                hearth: `${saturation.cpuMsPerRequest.hearth} / ${saturation.cpuMsPerRequest.postgres}`,
                ceiling: `${pgInsert.cpuMsPerRequest.postgres}`,
              },
              {
                measure: 'messages persisted / acknowledged',
                hearth: `${persisted} / ${acknowledged}`,
                met: persisted === acknowledged,
              },
            ]
          : []),
      ],
    };
  } finally {
    await target.close();
  }
}
