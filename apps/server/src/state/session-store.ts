import { Redis } from 'ioredis';

/**
 * A point from which another process can rebuild a session: after every bus event up to stream position `at` had been
 * routed to it, its sequence was `seq`. A `barrier` checkpoint follows a dispatch that the stream cannot rebuild.
 */
export interface Checkpoint {
  seq: number;
  at: string;
  barrier?: true;
}

/** What a process keeps in Redis of one of its gateway sessions, for another to resume it if it dies (ADR 0020). */
export interface SessionRecord<Snapshot> {
  /** The gateway process holding the session, or RELEASED. */
  owner: string;
  userId: string;
  /** The bus epoch the checkpoints' positions belong to. */
  epoch: string;
  snapshot: Snapshot;
  checkpoints: Checkpoint[];
}

/** The owner of a record whose process let go of the session for another to resume it. */
export const RELEASED = 'released';

/** How long a gateway process counts as alive after its last beat. */
export const GATEWAY_LEASE_MS = 3000;

const recordKey = (id: string) => `hearth:session:${id}`;
const leaseKey = (tag: string) => `hearth:gateway:${tag}`;

// Hands a record (a hash: its owner, and the rest as JSON) to `to` if `from` still owns it.
const CLAIM = `if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'owner', ARGV[2]) return 1 end
return 0`;

/** Resume records of gateway sessions and the leases that say which gateway processes are alive, in Redis. */
export class SessionStore<Snapshot> {
  private readonly redis: Redis;

  constructor(url: string) {
    // Fails at once while Redis is away: a session is then served without a record rather than waiting.
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 2000,
    });
    this.redis.on('error', () => {});
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  /** Writes records (in one round trip) and renews the writer's lease. */
  async save(
    tag: string,
    records: Array<[id: string, SessionRecord<Snapshot>]>,
    ttlMs: number,
  ): Promise<void> {
    const pipe = this.redis.pipeline();
    pipe.set(leaseKey(tag), '1', 'PX', GATEWAY_LEASE_MS);
    for (const [id, { owner, ...data }] of records) {
      pipe.hset(recordKey(id), 'owner', owner, 'data', JSON.stringify(data));
      pipe.pexpire(recordKey(id), ttlMs);
    }
    const results = await pipe.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('pipeline aborted');
  }

  async load(id: string): Promise<SessionRecord<Snapshot> | null> {
    const { owner, data } = await this.redis.hgetall(recordKey(id));
    return owner && data ? { owner, ...(JSON.parse(data) as Omit<SessionRecord<Snapshot>, 'owner'>) } : null;
  }

  /** Makes `to` the owner of a record `from` owns; false if `from` no longer does. */
  async claim(id: string, from: string, to: string): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 1, recordKey(id), from, to)) === 1;
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length) await this.redis.del(...ids.map(recordKey));
  }

  /** Whether the gateway process `tag` beat within its lease. */
  async alive(tag: string): Promise<boolean> {
    return (await this.redis.exists(leaseKey(tag))) === 1;
  }

  /** Ends this process's lease at once (a clean shutdown: its sessions were handed off). */
  async release(tag: string): Promise<void> {
    await this.redis.del(leaseKey(tag)).catch(() => {});
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
