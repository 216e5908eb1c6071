import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';

/** An event as it travels between processes: a Discord dispatch name, its topic, and the wire payload. */
export interface BusEvent {
  /** Gateway dispatch name, e.g. MESSAGE_CREATE. */
  t: string;
  /** Who may receive it: `guild:<id>`, `channel:<id>` or `user:<id>`. */
  topic: string;
  d: unknown;
}

export type BusListener = (event: BusEvent) => void;

/**
 * Given to this process's listeners, never published, when its subscription to the other processes' events was
 * lost and is back: what was published meanwhile never arrives, so caches kept fresh by events start afresh.
 */
export const BUS_RESUMED = 'BUS_RESUMED';

/** Carries events from the process that made them to every process's gateway. */
export interface Bus {
  /** Publishes once per event, never once per recipient. */
  publish(event: BusEvent): Promise<void>;
  /** Receives every event published by any process, this one included. */
  subscribe(listener: BusListener): () => void;
  close(): Promise<void>;
}

export function createMemoryBus(): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async publish(event) {
      // Deliver after the caller's current work, as a remote bus would.
      queueMicrotask(() => emitter.emit('event', event));
    },
    subscribe(listener) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

const CHANNEL_PREFIX = 'hearth:events:';

/** Redis pub/sub: one PUBLISH per event on `hearth:events:<topic>`; each process pattern-subscribes to all. */
export async function createRedisBus(url: string, opts: { name?: string } = {}): Promise<Bus> {
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // Named, so that an operator (or a test) can tell the subscriber connection apart in CLIENT LIST.
  const sub = new Redis(url, { lazyConnect: true, connectionName: opts.name ?? 'hearth-events' });
  await Promise.all([pub.connect(), sub.connect()]);
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  sub.on('pmessage', (_pattern, _channel, message) => {
    try {
      emitter.emit('event', JSON.parse(message) as BusEvent);
    } catch {
      // A malformed message from another process is dropped, never fatal.
    }
  });
  await sub.psubscribe(`${CHANNEL_PREFIX}*`);
  // ioredis reconnects and subscribes again by itself; listeners learn that events may have been missed.
  let lost = false;
  sub.on('close', () => {
    lost = true;
  });
  sub.on('ready', () => {
    if (!lost) return;
    lost = false;
    emitter.emit('event', { t: BUS_RESUMED, topic: 'bus:resumed', d: null } satisfies BusEvent);
  });
  return {
    async publish(event) {
      await pub.publish(CHANNEL_PREFIX + event.topic, JSON.stringify(event));
    },
    subscribe(listener) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
    async close() {
      emitter.removeAllListeners();
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}
