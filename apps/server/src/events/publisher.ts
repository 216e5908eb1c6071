import type { EventName, EventPayload, HearthEvent, TopicOf } from '@hearth/protocol';
import type { Bus } from './bus';

/** Topics name who may receive an event; the gateway decides per session. */
export const Topic = {
  user: (id: string) => `user:${id}` as const,
  guild: (id: string) => `guild:${id}` as const,
  /** A guild channel's or a DM's. */
  channel: (id: string) => `channel:${id}` as const,
  /** A social account's: its statuses, follows and profile. */
  account: (id: string) => `account:${id}` as const,
};

/**
 * Publishes domain events after commit. Failures are logged, never thrown into the request that caused them.
 * `observers` see each event at once, before the request that caused it is answered (the bus brings it back later,
 * to every process): caches that an event makes stale drop what it changed before anyone can read it again here.
 * Events are typed by the catalog (@hearth/protocol's events.ts): a name outside it, a topic of a kind it is not
 * published to, or a payload of another shape does not compile.
 */
export class EventPublisher {
  constructor(
    private readonly bus: Bus,
    private readonly onError: (err: unknown, t: string) => void,
    private readonly observers: Array<(event: HearthEvent) => void> = [],
  ) {}

  publish<T extends EventName>(t: T, topic: TopicOf<T>, d: EventPayload<T>): void {
    this.publishEvent({ t, topic, d } as HearthEvent);
  }

  /** Publishes an event already made (PendingEvents). */
  publishEvent(event: HearthEvent): void {
    for (const observe of this.observers) observe(event);
    this.bus.publish(event).catch((err) => this.onError(err, event.t));
  }
}
