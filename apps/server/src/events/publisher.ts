import type { Bus, BusEvent } from './bus';

/** Topics name who may receive an event; the gateway decides per session. */
export const Topic = {
  user: (id: string) => `user:${id}`,
  guild: (id: string) => `guild:${id}`,
  channel: (id: string) => `channel:${id}`,
};

/**
 * Publishes domain events after commit. Failures are logged, never thrown into the request that caused them.
 * `observers` see each event at once, before the request that caused it is answered (the bus brings it back later,
 * to every process): caches that an event makes stale drop what it changed before anyone can read it again here.
 */
export class EventPublisher {
  constructor(
    private readonly bus: Bus,
    private readonly onError: (err: unknown, t: string) => void,
    private readonly observers: Array<(event: BusEvent) => void> = [],
  ) {}

  publish(t: string, topic: string, d: unknown): void {
    const event = { t, topic, d };
    for (const observe of this.observers) observe(event);
    this.bus.publish(event).catch((err) => this.onError(err, t));
  }
}
