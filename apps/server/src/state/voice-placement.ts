import { Redis } from 'ioredis';

/** A Hearth process as voice placement sees it: where clients reach it and the region it declares. */
interface VoiceProcess {
  /** The worker id (unique among live processes, ADR 0025's claim). */
  id: number;
  /** Host (and port) of its public URL: VOICE_SERVER_UPDATE's `endpoint`. */
  endpoint: string;
  region: string;
  regionName: string;
  /** Rooms it holds (placement prefers the least busy of a region). */
  rooms: number;
}

/**
 * Where each voice room lives (ADR 0034). A room lives on exactly one process; the first join of a channel places it
 * (on a process of the channel's `rtc_region`, else on the joining session's own process) and later joins, from any
 * process, are sent to the same one. With Redis the claim is `hearth:voice:room:<channel>`, kept alive by its holder
 * and gone a lease after the holder died, so the room is placed again. Without Redis there is one process.
 */
export interface VoicePlacement {
  /** The processes alive now (this one first). */
  processes(): Promise<VoiceProcess[]>;
  /**
   * The process holding `roomId`, placing the room first when nobody holds it: on a process declaring `region`
   * (this one when it does, else the one with the fewest rooms), or on this process when `region` is null or no live
   * process declares it.
   */
  place(roomId: string, region: string | null): Promise<VoiceProcess>;
  /** Claims `roomId` for this process before it answers a connection: false when another live process holds it. */
  claim(roomId: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface PlacementOptions {
  self: Omit<VoiceProcess, 'rooms'>;
  /** The rooms this process's SFU holds now (their claims are renewed; others placed here for a while after). */
  rooms: () => string[];
}

/** One process: every room is here. */
export function createLocalVoicePlacement(opts: PlacementOptions): VoicePlacement {
  const self = (): VoiceProcess => ({ ...opts.self, rooms: opts.rooms().length });
  return {
    processes: async () => [self()],
    place: async () => self(),
    claim: async () => true,
    close: async () => {},
  };
}

const PROCESSES = 'hearth:voice:processes';
const PROCESS_INFO = 'hearth:voice:process-info';
const roomKey = (roomId: string) => `hearth:voice:room:${roomId}`;
/** Rooms placed on a process by others, for it to renew. */
const placedOn = (id: number) => `hearth:voice:placed:${id}`;
/** How long a room placed on a process stays claimed without a connection there (VOICE_SERVER_UPDATE's grant). */
const PLACED_MS = 5 * 60_000;

// Renews a claim that is this process's, or takes it back when it lapsed (Redis restarted); 0 when another holds it.
const RENEW = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * Placement shared through Redis: each process lists itself in `hearth:voice:processes` (a sorted set scored by
 * when its entry lapses) every third of the lease, renews the claims of the rooms it holds or was given recently, and
 * releases those it no longer holds.
 */
export async function createRedisVoicePlacement(
  url: string,
  opts: PlacementOptions & { leaseMs: number; onError?: (err: unknown) => void },
): Promise<VoicePlacement> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on('error', () => {});
  await redis.connect();
  const me = String(opts.self.id);
  const placedKey = placedOn(opts.self.id);
  /** Rooms placed on this process (by any process) or held by it, with when they were last given or held. */
  const mine = new Map<string, number>();

  const tick = async () => {
    const now = Date.now();
    const held = opts.rooms();
    for (const roomId of held) mine.set(roomId, now);
    // Rooms other processes placed here since the last tick.
    const placed = await redis.hgetall(placedKey);
    const given = Object.keys(placed);
    if (given.length) await redis.hdel(placedKey, ...given);
    for (const roomId of given) if (!mine.has(roomId)) mine.set(roomId, Number(placed[roomId]) || now);
    const batch = redis.pipeline();
    batch
      .zadd(PROCESSES, now + opts.leaseMs, me)
      .hset(PROCESS_INFO, me, JSON.stringify({ ...opts.self, rooms: held.length }))
      .zremrangebyscore(PROCESSES, '-inf', now);
    for (const [roomId, at] of mine) {
      if (at >= now - PLACED_MS) batch.eval(RENEW, 1, roomKey(roomId), me, opts.leaseMs);
      else {
        mine.delete(roomId);
        batch.eval(RELEASE, 1, roomKey(roomId), me);
      }
    }
    await batch.exec();
  };
  const run = () => {
    tick().catch((err) => opts.onError?.(err));
  };
  await tick();
  const timer = setInterval(run, Math.max(1000, Math.floor(opts.leaseMs / 3)));
  timer.unref();

  const processes = async (): Promise<VoiceProcess[]> => {
    const ids = await redis.zrangebyscore(PROCESSES, Date.now(), '+inf');
    const infos = ids.length ? await redis.hmget(PROCESS_INFO, ...ids) : [];
    const out: VoiceProcess[] = [];
    for (const raw of infos) {
      if (!raw) continue;
      try {
        out.push(JSON.parse(raw) as VoiceProcess);
      } catch {
        // An entry this version cannot read: not a candidate.
      }
    }
    if (!out.some((p) => p.id === opts.self.id)) out.push({ ...opts.self, rooms: opts.rooms().length });
    return out.sort((a, b) => (a.id === opts.self.id ? -1 : b.id === opts.self.id ? 1 : a.id - b.id));
  };

  return {
    processes,
    async place(roomId, region) {
      const live = await processes();
      for (let attempt = 0; attempt < 3; attempt++) {
        const holder = await redis.get(roomKey(roomId));
        const found = holder && live.find((p) => String(p.id) === holder);
        if (found) return found;
        // No claim, or the claim of a process that is gone: place it.
        const inRegion = region ? live.filter((p) => p.region === region) : [];
        const choice =
          inRegion.find((p) => p.id === opts.self.id) ??
          inRegion.sort((a, b) => a.rooms - b.rooms || a.id - b.id)[0] ??
          live[0];
        const set = holder
          ? await redis.eval(
              "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0",
              1,
              roomKey(roomId),
              holder,
              String(choice.id),
              opts.leaseMs,
            )
          : await redis.set(roomKey(roomId), String(choice.id), 'PX', opts.leaseMs, 'NX');
        if (set === 1 || set === 'OK') {
          // The holder renews it from now on (it learns of it at its first connection; until then, its lease).
          if (choice.id === opts.self.id) mine.set(roomId, Date.now());
          else await redis.hset(placedOn(choice.id), roomId, Date.now());
          return choice;
        }
      }
      throw new Error(`voice room ${roomId} could not be placed`);
    },
    async claim(roomId) {
      const result = await redis.eval(RENEW, 1, roomKey(roomId), me, opts.leaseMs);
      if (result === 0) {
        // Held by a process that is gone (its lease in the process list ran out first): take it over.
        const holder = await redis.get(roomKey(roomId));
        const live = await processes();
        if (holder && live.some((p) => String(p.id) === holder)) return false;
        await redis.set(roomKey(roomId), me, 'PX', opts.leaseMs);
      }
      mine.set(roomId, Date.now());
      return true;
    },
    async close() {
      clearInterval(timer);
      const batch = redis.pipeline().zrem(PROCESSES, me).hdel(PROCESS_INFO, me);
      for (const roomId of mine.keys()) batch.eval(RELEASE, 1, roomKey(roomId), me);
      await batch.exec().catch(() => {});
      redis.disconnect();
    },
  };
}
