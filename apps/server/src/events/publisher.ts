import type { Bus } from './bus';

/** Topics name who may receive an event; the gateway decides per session. */
export const Topic = {
  user: (id: string) => `user:${id}`,
  guild: (id: string) => `guild:${id}`,
  channel: (id: string) => `channel:${id}`,
};

/** Publishes domain events after commit. Failures are logged, never thrown into the request that caused them. */
export class EventPublisher {
  constructor(
    private readonly bus: Bus,
    private readonly onError: (err: unknown, t: string) => void,
  ) {}

  publish(t: string, topic: string, d: unknown): void {
    this.bus.publish({ t, topic, d }).catch((err) => this.onError(err, t));
  }
}
