import type { EventPublisher } from '../events/publisher';

/** Events gathered while a transaction runs, published only after it commits. */
export class PendingEvents {
  private readonly list: Array<{ t: string; topic: string; d: unknown }> = [];

  add(t: string, topic: string, d: unknown): void {
    this.list.push({ t, topic, d });
  }

  publish(events: EventPublisher): void {
    for (const e of this.list) events.publish(e.t, e.topic, e.d);
  }
}
