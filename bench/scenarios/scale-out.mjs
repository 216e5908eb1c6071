import { startBare } from '../lib/bare.mjs';
import { fanoutRun } from '../lib/fanout.mjs';
import { freshDatabase, startHearth } from '../lib/hearth.mjs';
import { startRedis } from '../lib/redis.mjs';
import { call, seedWorld } from '../lib/seed.mjs';
import { rows } from './fanout.mjs';

export const title = 'Scale-out';

/**
 * Two Hearth processes on one PostgreSQL database and Redis: the sender posts on A, receivers are split evenly over
 * A and B; the fan-out scenario's phases. The ceiling is one bare `ws` broadcast server with the same sockets.
 */
export async function run(ctx) {
  const config = {
    processes: 2,
    sessions: ctx.quick ? 200 : 1000,
    deliveriesPerSecond: 20_000,
    phaseMs: ctx.quick ? 1500 : 10_000,
  };
  const db = await freshDatabase();
  const redis = await startRedis();
  const servers = [];
  try {
    for (const workerId of [900, 901])
      servers.push(
        await startHearth({ databaseUrl: db.url, redisUrl: redis.url, workerId, profileDir: ctx.profileDir }),
      );
    const [a] = servers;
    const world = await seedWorld({
      api: a.api,
      databaseUrl: db.url,
      users: config.sessions,
      guilds: 1,
      channels: 1,
    });
    const urls = await Promise.all(
      servers.map(async (s) => `${(await call(s.api, 'GET', '/gateway')).url}?v=10&encoding=json`),
    );
    const rate = Math.round(config.deliveriesPerSecond / config.sessions);
    const channel = world.guilds[0].channels[0];
    const hearth = await fanoutRun({
      ctx,
      label: 'hearth',
      urls,
      tokens: world.users.map((u) => u.token),
      count: config.sessions,
      rate,
      phaseMs: config.phaseMs,
      sender: { target: a.api, path: `/v10/channels/${channel}/messages`, token: world.owner.token },
      serverPids: servers.map((s) => s.pid),
    });
    const bare = await startBare('bare-ws', { BARE_FRAME_BYTES: String(hearth.fixed.frameBytes || 800) });
    let ceiling;
    try {
      ceiling = await fanoutRun({
        ctx,
        label: 'bare',
        urls: [`${bare.url.replace('http', 'ws')}/gateway`],
        tokens: null,
        count: config.sessions,
        rate,
        phaseMs: config.phaseMs,
        sender: { target: bare.url, path: '/send' },
        serverPids: [bare.pid],
      });
    } finally {
      await bare.stop();
    }
    const run = { count: config.sessions, rate, hearth, ceiling };
    return {
      config,
      postgres: db.version,
      figures: run,
      table: rows(run).map((r) => ({ ...r, goal: '', met: r.measure.includes('missed') ? r.met : null })),
    };
  } finally {
    for (const s of servers) await s.stop();
    await redis.stop();
    await db.drop();
  }
}
