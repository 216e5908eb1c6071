import type { EventName, EventPayload, HearthEvent, TopicOf } from '@hearth/protocol';
import type { EventPublisher } from '../events/publisher';

/** Events gathered while a transaction runs, published only after it commits. */
export class PendingEvents {
  private readonly list: HearthEvent[] = [];

  add<T extends EventName>(t: T, topic: TopicOf<T>, d: EventPayload<T>): void {
    this.list.push({ t, topic, d } as HearthEvent);
  }

  publish(events: EventPublisher): void {
    for (const e of this.list) events.publishEvent(e);
  }
}
