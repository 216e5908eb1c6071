import pg from 'pg';
import { startBare } from '../lib/bare.mjs';
import { call, snowflakeAt } from '../lib/seed.mjs';
import { openTarget } from '../lib/setup.mjs';
import { ratio } from '../lib/util.mjs';
import { httpLoad, httpLoadWithCpu } from '../lib/workers.mjs';

export const title = 'History';

/**
 * GET /channels/:id/messages?before=<random>&limit=50 on a channel of `channelMessages` among `totalMessages`,
 * bulk-loaded straight into PostgreSQL: pages per second at saturation, and p50/p99 at a fixed rate.
 */
export async function run(ctx) {
  const config = {
    channelMessages: ctx.quick ? 50_000 : 1_000_000,
    totalMessages: ctx.quick ? 100_000 : 2_000_000,
    otherChannels: 9,
    readers: 20,
    pageSize: 50,
    fixedRate: 500,
    phaseMs: ctx.quick ? 1500 : 15_000,
    saturationConcurrency: 32,
  };
  const target = await openTarget(ctx, {
    users: config.readers,
    guilds: 1,
    channels: 1 + config.otherChannels,
  });
  try {
    let minId;
    let maxId;
    const channel = target.channels[0];
    if (target.db) {
      ctx.log(`bulk-loading ${config.totalMessages} messages`);
      ({ minId, maxId } = await bulkLoad(target, config));
    } else {
      // A peer's channel: cursors between its oldest and newest message.
      const [newest] = await call(target.api, 'GET', `/channels/${channel}/messages?limit=1`, {
        token: target.ownerToken,
      });
      const [oldest] = await call(target.api, 'GET', `/channels/${channel}/messages?limit=1&after=0`, {
        token: target.ownerToken,
      });
      minId = oldest.id;
      maxId = newest.id;
    }
    const base = { target: target.api, kind: 'history', tokens: target.tokens, channel, minId, maxId };
    const sample = await call(target.api, 'GET', `/channels/${channel}/messages?limit=1`, {
      token: target.tokens[0],
    });
    ctx.log('warm-up');
    await httpLoad({ ...base, concurrency: 8, durationMs: ctx.quick ? 1000 : 3000 });
    ctx.log('saturation');
    const saturation = await httpLoadWithCpu(
      {
        ...base,
        concurrency: config.saturationConcurrency,
        durationMs: config.phaseMs,
      },
      target.hearth?.pid,
    );
    ctx.log(`fixed ${config.fixedRate}/s`);
    const fixed = await httpLoad({ ...base, rate: config.fixedRate, durationMs: config.phaseMs });

    let pgSat = null;
    let pgFixed = null;
    if (target.db) {
      const pgJob = { kind: 'pg-select', databaseUrl: target.db.url, poolSize: 20, channel, minId, maxId };
      ctx.log('ceiling: raw pg keyset select');
      pgSat = await httpLoadWithCpu({
        ...pgJob,
        concurrency: config.saturationConcurrency,
        durationMs: config.phaseMs,
      });
      pgFixed = await httpLoad({ ...pgJob, rate: config.fixedRate, durationMs: config.phaseMs });
    }
    ctx.log('ceiling: bare fastify route');
    const bare = await startBare('bare-http', { BARE_MESSAGE: JSON.stringify(sample[0]) });
    let bareSat;
    try {
      const bareJob = { ...base, target: `${bare.url}/api` };
      await httpLoad({ ...bareJob, concurrency: 8, durationMs: 1000 });
      bareSat = await httpLoad({
        ...bareJob,
        concurrency: config.saturationConcurrency,
        durationMs: config.phaseMs,
      });
    } finally {
      await bare.stop();
    }
    return {
      config,
      postgres: target.postgres,
      figures: {
        saturation,
        fixed,
        ceilings: { bareFastify: bareSat, pgSelect: pgSat, pgSelectFixed: pgFixed },
      },
      table: [
        {
          measure: 'saturation: pages/s (vs bare fastify route)',
          hearth: saturation.perSecond.toFixed(0),
          ceiling: bareSat.perSecond.toFixed(0),
          ratio: ratio(saturation.perSecond, bareSat.perSecond),
        },
        ...(pgSat
          ? [
              {
                measure: 'saturation: pages/s (vs raw pg keyset SELECT, pool 20)',
                hearth: saturation.perSecond.toFixed(0),
                ceiling: pgSat.perSecond.toFixed(0),
                ratio: ratio(saturation.perSecond, pgSat.perSecond),
              },
              {
                measure: 'saturation: CPU ms per page, Hearth / PostgreSQL (ceiling: PostgreSQL per SELECT)',
                hearth: `${saturation.cpuMsPerRequest.hearth} / ${saturation.cpuMsPerRequest.postgres}`,
                ceiling: `${pgSat.cpuMsPerRequest.postgres}`,
              },
            ]
          : []),
        {
          measure: `fixed ${config.fixedRate}/s: achieved/s, p50 / p99 ms`,
          hearth: `${fixed.perSecond.toFixed(0)}, ${fixed.latencyMs.p50} / ${fixed.latencyMs.p99}`,
          ceiling: pgFixed
            ? `${pgFixed.perSecond.toFixed(0)}, ${pgFixed.latencyMs.p50} / ${pgFixed.latencyMs.p99}`
            : null,
          goal: 'p99 ≤ 10 ms',
          met: fixed.latencyMs.p99 <= 10 && fixed.ok >= fixed.requests * 0.99,
        },
      ],
    };
  } finally {
    await target.close();
  }
}

/**
 * INSERT … SELECT generate_series into the real messages table: one message a millisecond, ids minted like
 * Hearth's (worker bits 1023), authors from the seeded readers. The secondary indexes are rebuilt after the load.
 */
export async function bulkLoad(target, config) {
  const c = new pg.Client({ connectionString: target.db.url });
  await c.connect();
  try {
    const start = Date.now() - 30 * 86_400_000;
    const first = snowflakeAt(start);
    const step = 1n << 22n; // one millisecond
    const authors = target.world.users.map((u) => u.id);
    const [channel, ...others] = target.channels;
    const guildId = target.world.guilds[0].id;
    await c.query('DROP INDEX messages_author_idx');
    await c.query('DROP INDEX messages_search_idx');
    const load = (channels, count, offset) =>
      c.query(
        `INSERT INTO messages (channel_id, id, guild_id, author_id, content)
         SELECT ($1::bigint[])[1 + i % cardinality($1::bigint[])], $2::bigint + (i + $6) * $3::bigint, $4,
                ($5::bigint[])[1 + i % cardinality($5::bigint[])],
                'history message ' || i || ' with some ordinary words to make it a realistic length'
         FROM generate_series(0, $7 - 1) i`,
        [channels, String(first), String(step), guildId, authors, offset, count],
      );
    await load([channel], config.channelMessages, 0);
    await load(others, config.totalMessages - config.channelMessages, config.channelMessages);
    await c.query('CREATE INDEX messages_author_idx ON messages USING btree (channel_id, author_id, id)');
    await c.query('CREATE INDEX messages_search_idx ON messages USING gin (search_vector)');
    await c.query('VACUUM ANALYZE messages');
    const { rows } = await c.query(
      'SELECT min(id)::text AS min, max(id)::text AS max FROM messages WHERE channel_id = $1',
      [channel],
    );
    return { minId: rows[0].min, maxId: rows[0].max };
  } finally {
    await c.end();
  }
}
