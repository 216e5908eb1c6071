import WebSocket from 'ws';
import { call } from '../lib/seed.mjs';
import { openTarget } from '../lib/setup.mjs';
import { round, sleep } from '../lib/util.mjs';

export const title = 'Presence storm in a big guild';

/** How long the sockets must stay quiet before a variant's count is taken. */
const QUIET_MS = 2000;

/**
 * A guild of `members` members in which `watchers` sessions are open on its first channel, then `arrivals` more
 * members come online one after another, each opening the guild as the web app does. Counted, not timed (the
 * machine is shared): the presence deliveries (PRESENCE_UPDATE and GUILD_MEMBER_LIST_UPDATE frames) and their bytes
 * per user coming online, in two variants on the same server:
 *  - `whole guild`: every session subscribes to all the guild's presences (op 14 with only `guild_id`, ADR 0011 —
 *    what the web app did before lazy member lists): each arrival reaches every online session, N²/2 in all;
 *  - `lazy lists`: every session follows the channel's member list for `[0, 99]` (op 14 `channels`, ADR 0041): an
 *    arrival reaches the sessions whose range it changes.
 * Each session's first SYNC (what opening the list costs, like the op 8 chunk the web app asked for before) is
 * counted apart. The ceiling column is the whole-guild count; the goal is that lazy deliveries per arrival stay near the number of
 * sessions whose range the arrival lands in, not grow with the guild.
 */
export async function run(ctx) {
  const config = ctx.quick
    ? { members: 400, watchers: 20, arrivals: 150, range: [0, 99] }
    : { members: 2400, watchers: 100, arrivals: 1000, range: [0, 99] };
  // Each variant needs its own watchers and arrivals among the members.
  if (config.members - 1 < 2 * (config.watchers + config.arrivals))
    throw new Error('too few members for both variants');
  const target = await openTarget(
    { ...ctx, target: null, profileDir: null },
    { users: config.members - 1, guilds: 1, channels: 1 },
  );
  try {
    const { url } = await call(target.api, 'GET', '/gateway');
    const gateway = `${url}?v=10&encoding=json`;
    const guildId = target.world.guilds[0].id;
    const channelId = target.world.guilds[0].channels[0];
    const variants = {};
    for (const variant of ['whole guild', 'lazy lists']) {
      const subscribe =
        variant === 'lazy lists'
          ? { op: 14, d: { guild_id: guildId, channels: { [channelId]: [config.range] } } }
          : { op: 14, d: { guild_id: guildId, typing: true, activities: true, threads: true } };
      // Each variant uses its own users, so both start from everyone offline.
      const offset = variant === 'lazy lists' ? config.watchers + config.arrivals : 0;
      const tokens = target.tokens.slice(offset, offset + config.watchers + config.arrivals);
      // Watchers are spread among the arrivals in name order (every k-th user), so arrivals sort between them and land
      // in the watched range. Taking the first `watchers` users instead made them sort before every arrival: they
      // filled [0, 99] of the online group and no arrival ever entered it (the full run's 0 lazy deliveries).
      const every = Math.floor(tokens.length / config.watchers);
      const watcherTokens = tokens.filter((_, i) => i % every === 0).slice(0, config.watchers);
      const arrivalTokens = tokens.filter((t) => !watcherTokens.includes(t));
      ctx.log(`${variant}: ${config.watchers} watchers, then ${config.arrivals} arrivals`);
      const counter = {
        frames: 0,
        bytes: 0,
        presences: 0,
        lists: 0,
        syncs: 0,
        syncBytes: 0,
        closed: [],
        ending: false,
        last: Date.now(),
      };
      const sockets = [];
      for (const token of watcherTokens) sockets.push(await open(gateway, token, subscribe, counter));
      await quiet(counter);
      const before = { ...counter };
      for (const token of arrivalTokens) sockets.push(await open(gateway, token, subscribe, counter));
      await quiet(counter);
      const presences = counter.presences - before.presences;
      const lists = counter.lists - before.lists;
      variants[variant] = {
        deliveriesPerArrival: round((presences + lists) / config.arrivals, 1),
        presenceUpdates: presences,
        memberListUpdates: lists,
        kilobytesPerArrival: round((counter.bytes - before.bytes) / 1024 / config.arrivals, 1),
        openingSyncs: counter.syncs,
        sessions: tokens.length,
        closedEarly: counter.closed.length,
        closeCodes: [...new Set(counter.closed)],
        kilobytesPerOpeningSync: counter.syncs ? round(counter.syncBytes / 1024 / counter.syncs, 1) : null,
      };
      counter.ending = true;
      for (const ws of sockets) ws.close(1000);
      await sleep(1000);
    }
    const whole = variants['whole guild'];
    const lazy = variants['lazy lists'];
    return {
      config,
      postgres: target.postgres,
      figures: variants,
      table: [
        {
          measure: 'deliveries per user coming online (lazy lists; ceiling: whole-guild presences)',
          hearth: lazy.deliveriesPerArrival,
          ceiling: whole.deliveriesPerArrival,
          ratio: round(lazy.deliveriesPerArrival / whole.deliveriesPerArrival, 3),
          goal: `≤ ${config.watchers + config.arrivals} sessions, not N²`,
          met: lazy.deliveriesPerArrival < whole.deliveriesPerArrival,
        },
        {
          measure: 'PRESENCE_UPDATE per user coming online (lazy lists; ceiling: whole-guild presences)',
          hearth: round(lazy.presenceUpdates / config.arrivals, 1),
          ceiling: round(whole.presenceUpdates / config.arrivals, 1),
          ratio: round(lazy.presenceUpdates / whole.presenceUpdates, 3),
        },
        {
          measure: 'KiB delivered per user coming online (lazy lists; ceiling: whole-guild presences)',
          hearth: lazy.kilobytesPerArrival,
          ceiling: whole.kilobytesPerArrival,
          ratio: round(lazy.kilobytesPerArrival / whole.kilobytesPerArrival, 3),
        },
      ],
    };
  } finally {
    await target.close();
  }
}

/** Identifies online, waits for READY and the guild, sends `subscribe`, and counts presence frames from then on. */
function open(gateway, token, subscribe, counter) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(gateway);
    let ready = false;
    ws.on('message', (data) => {
      const text = data.toString();
      const p = JSON.parse(text);
      if (p.op === 10) {
        ws.send(
          JSON.stringify({
            op: 2,
            d: { token, properties: { os: 'bench', browser: 'bench', device: 'bench' } },
          }),
        );
        return;
      }
      if (p.op !== 0) return;
      if (!ready && p.t === 'GUILD_CREATE') {
        ready = true;
        ws.send(JSON.stringify(subscribe));
        resolve(ws);
        return;
      }
      // A session's first SYNC is what opening the list costs it (counted apart), not what a presence costs.
      if (p.t === 'GUILD_MEMBER_LIST_UPDATE' && p.d.ops.length === 1 && p.d.ops[0].op === 'SYNC') {
        counter.syncs++;
        counter.syncBytes += text.length;
        return;
      }
      if (p.t === 'PRESENCE_UPDATE' || p.t === 'GUILD_MEMBER_LIST_UPDATE') {
        counter.frames++;
        counter.bytes += text.length;
        if (p.t === 'PRESENCE_UPDATE') counter.presences++;
        else counter.lists++;
        counter.last = Date.now();
      }
    });
    ws.once('error', reject);
    // A socket the server closed before the variant ended (a slow consumer cut off, say) counts apart.
    ws.once('close', (code) => {
      if (!counter.ending) counter.closed.push(code);
    });
  });
}

async function quiet(counter) {
  counter.last = Date.now();
  while (Date.now() - counter.last < QUIET_MS) await sleep(250);
}
