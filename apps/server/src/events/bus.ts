import { EventEmitter } from 'node:events';

/**
 * An event as it travels between processes: a name, its topic, and the payload. What Hearth publishes is typed by the
 * event catalog (@hearth/protocol's HearthEvent, see EventPublisher); the bus also carries its own signals (BUS_GAP)
 * and the gateways' handoff messages, so it reads every event as this plain shape.
 */
export interface BusEvent {
  /** Gateway dispatch name, e.g. MESSAGE_CREATE. */
  t: string;
  /** Who may receive it: `guild:<id>`, `channel:<id>` or `user:<id>`. */
  topic: string;
  d: unknown;
  /** Its position in the shared stream, set on delivery by the Redis bus (never by the memory bus). */
  id?: string;
}

type BusListener = (event: BusEvent) => void;

/** Orders stream positions (Redis stream ids, `<ms>-<seq>`). */
export function comparePositions(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/**
 * Given to this process's listeners, never published, when events of the shared stream were lost for this process
 * (more than the stream keeps went by, or Redis lost its data before this process read them): caches kept fresh by
 * events start afresh, and gateway sessions, which would miss what was lost, are invalidated (ADR 0020).
 */
export const BUS_GAP = 'BUS_GAP';

/** Carries events from the process that made them to every process's gateway. */
export interface Bus {
  /**
   * Publishes once per event, never once per recipient. Resolves once the event is queued: the bus delivers it to
   * every process in the order this process published, also after an outage of the shared store.
   */
  publish(event: BusEvent): Promise<void>;
  /** Receives every event published by any process, this one included. */
  subscribe(listener: BusListener): () => void;
  /**
   * Resolves once every event this process has published so far is in the shared stream — or at once while the
   * stream is unreachable (they wait in this process's queue). Answers wait for it, so that what a client was told
   * is done has its events where every process reads them, even if this process dies right after answering.
   */
  written(): Promise<void>;
  /** Whether events travel between processes now (false while Redis is unreachable). */
  connected(): boolean;
  /**
   * The events after stream position `after` up to `until` inclusive, for a session rebuilt on another process, or
   * null when some of them are no longer kept (or the memory bus, which keeps none).
   */
  range(after: string, until: string): Promise<BusEvent[] | null>;
  /** The stream position of the last event given to listeners (`0-0` before the first). */
  position(): string;
  /** Identifies the stream's lifetime: positions of one epoch mean nothing in another (Redis lost its data). */
  epoch(): string;
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
    connected: () => true,
    written: async () => {},
    range: async () => null,
    position: () => '0-0',
    epoch: () => 'memory',
    async close() {
      emitter.removeAllListeners();
    },
  };
}
