import { startBare } from './bare.mjs';
import { freshDatabase, startHearth } from './hearth.mjs';
import { call, seedWorld } from './seed.mjs';

/**
 * What scenarios 1–3 load: a fresh Hearth on its own PostgreSQL database with a seeded world, or — with
 * --target — another Discord-compatible server with one token and one channel. `close()` undoes it all.
 */
export async function openTarget(ctx, seed, { inspect = false } = {}) {
  if (ctx.target) {
    const { api, token, channel } = ctx.target;
    return {
      kind: 'peer',
      api,
      tokens: [token],
      channels: [channel],
      ownerToken: token,
      postgres: null,
      hearth: null,
      close: async () => {},
    };
  }
  const db = await freshDatabase();
  const hearth = await startHearth({ databaseUrl: db.url, profileDir: ctx.profileDir, inspect });
  try {
    const world = await seedWorld({ api: hearth.api, databaseUrl: db.url, ...seed });
    return {
      kind: 'hearth',
      api: hearth.api,
      tokens: world.users.map((u) => u.token),
      channels: world.guilds.flatMap((g) => g.channels),
      ownerToken: world.owner.token,
      world,
      db,
      postgres: db.version,
      hearth,
      async close() {
        await hearth.stop();
        await db.drop();
      },
    };
  } catch (err) {
    await hearth.stop();
    await db.drop();
    throw err;
  }
}

/** One real message from the target, as the shape the bare HTTP ceiling answers with. */
export async function sampleMessage(target) {
  return call(target.api, 'POST', `/channels/${target.channels[0]}/messages`, {
    token: target.ownerToken,
    body: { content: 'bench sample message of a typical length, about sixty chars' },
  });
}

export { startBare };
