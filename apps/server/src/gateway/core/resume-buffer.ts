import type { Rest } from './outbox';

/**
 * A message as sent and kept for a resume. For an event that goes to many sessions, `head` is this session's own
 * part and `rest` the part encoded once and shared by every session's message and resume buffer, never joined into a
 * copy. A message assembled for one session has its `rest` in parts, most of them shared with other sessions'.
 * Otherwise `head` is the whole message.
 */
export interface KeptMessage {
  s: number;
  head: string;
  rest: Rest;
}

/** A kept message as it travels to another process: one string. */
export interface KeptText {
  s: number;
  text: string;
}

const restText = (rest: Rest) => (!rest ? '' : Array.isArray(rest) ? Buffer.concat(rest) : rest).toString();

/**
 * A session's numbered messages, kept until the client says it has them, so that a client that reconnects gets
 * what it missed (Discord's RESUME; an SSE client's Last-Event-ID would be the same). Knows nothing of how a message
 * is encoded or carried: `send` writes one to the session's connection, if it has one.
 *
 * Barriers (ADR 0020): where the session's record is kept for another process, a message not derived from a bus
 * event alone (made for this session) is a barrier, and messages from it on are withheld from the connection until
 * `persisted` says a checkpoint covers it.
 */
export class ResumeBuffer {
  /** The sequence number of the last message. */
  seq = 0;
  readonly kept: KeptMessage[] = [];
  /** The highest sequence the client said it has. */
  acked = 0;
  /** Told of every barrier; messages are withheld only while it is set. */
  onBarrier: (() => void) | null = null;
  private barriers: number[] = [];
  private withheld: KeptMessage[] = [];

  constructor(
    /** How many messages are kept at most; the oldest go first. */
    private readonly size: number,
    private readonly send: (head: string, rest: Rest) => void,
  ) {}

  /** The sequence number the next message gets (its head may carry it). */
  get next(): number {
    return this.seq + 1;
  }

  /** Numbers (see `next`), keeps and sends (or withholds) one message. */
  push(head: string, rest: Rest, barrier = false): void {
    const message = { s: ++this.seq, head, rest };
    this.kept.push(message);
    if (this.kept.length > this.size) this.kept.shift();
    if (barrier && this.onBarrier) {
      this.barriers.push(message.s);
      this.onBarrier();
    }
    if (this.barriers.length) this.withheld.push(message);
    else this.send(message.head, message.rest);
  }

  /** Forgets the kept messages up to `seq`, which the client has. */
  acknowledge(seq: number): void {
    if (seq <= this.seq) this.acked = Math.max(this.acked, seq);
    let n = 0;
    while (n < this.kept.length && this.kept[n].s <= seq) n++;
    if (n) this.kept.splice(0, n);
  }

  /** Sends the messages after `seq` again (a resume), up to the first barrier. */
  replay(seq: number): void {
    const fence = this.barriers[0] ?? Infinity;
    for (const message of this.kept)
      if (message.s > seq && message.s < fence) this.send(message.head, message.rest);
  }

  /** Whether a message waits for its checkpoint. */
  get awaitingCheckpoint(): boolean {
    return this.barriers.length > 0;
  }

  /** A checkpoint up to `seq` is stored: the messages withheld for it go out. */
  persisted(seq: number): void {
    while (this.barriers.length && this.barriers[0] <= seq) this.barriers.shift();
    const fence = this.barriers[0] ?? Infinity;
    while (this.withheld.length && this.withheld[0].s < fence) {
      const message = this.withheld.shift()!;
      this.send(message.head, message.rest);
    }
  }

  /** The kept messages as text, for another process. */
  texts(): KeptText[] {
    return this.kept.map((m) => ({ s: m.s, text: m.head + restText(m.rest) }));
  }

  /** Continues from another process's sequence and kept messages. */
  restore(seq: number, texts: KeptText[]): void {
    this.seq = seq;
    this.kept.push(...texts.map((m) => ({ s: m.s, head: m.text, rest: null })));
  }
}
