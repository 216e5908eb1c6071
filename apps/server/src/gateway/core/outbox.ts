/**
 * A message's bytes shared with other recipients (an event's encoded `d`, GUILD_CREATE's member lists), written
 * behind a recipient's own head without being joined into a copy: one buffer, several in order, or none.
 */
export type Rest = Buffer | Buffer[] | null;

/** How many bytes `rest` holds. */
export const restBytes = (rest: Rest): number =>
  !rest ? 0 : Array.isArray(rest) ? rest.reduce((n, part) => n + part.length, 0) : rest.length;

/**
 * Where an outbox writes: one client's connection, whatever carries it (a Discord gateway WebSocket, a Mastodon
 * streaming response, a voice signalling socket). The sink frames each message as its transport does; the outbox
 * decides when and how much.
 */
export interface FrameSink {
  /** Whether messages can still be written. */
  readonly open: boolean;
  /** Bytes the transport holds that the client has not taken yet (the kernel's and the library's buffers). */
  readonly bufferedAmount: number;
  /** Writes one message: `head` (ASCII) and the shared `rest` as one message, or `head` alone. */
  write(head: string, rest: Rest): void;
  /** Writes a message already framed for this transport (see Outbox.reply). */
  writeFramed(frame: Buffer): void;
  /** Brackets the writes of one batch, so that they leave in as few packets as the transport can. */
  cork(): void;
  uncork(): void;
  /** Cuts the connection off at once, without a goodbye. */
  terminate(): void;
  /** Ends the connection politely, with a transport's close code and reason. */
  close(code: number, reason: string): void;
}

/** Outboxes with something to write this tick: one setImmediate writes them all (an event reaches thousands). */
let toFlush: Outbox[] = [];
function flushAll(): void {
  const due = toFlush;
  toFlush = [];
  for (const outbox of due) {
    try {
      outbox.flush();
    } catch {
      // A socket that cannot be written to is cut off (its session may resume); the others still get theirs.
      outbox.terminate();
    }
  }
}

/**
 * One connection's outgoing messages: everything sent during an event-loop tick goes out in one corked write, and a
 * consumer whose unsent backlog exceeds the byte cap is cut off (it may resume) instead of holding memory.
 */
export class Outbox {
  /** Messages waiting for the tick's write: a text, or a head and a shared rest. */
  private pending: Array<string | Rest> = [];
  private pendingBytes = 0;
  private scheduled = false;

  constructor(
    readonly sink: FrameSink,
    private readonly capBytes: number,
    private readonly onOverflow: () => void,
  ) {}

  get open(): boolean {
    return this.sink.open;
  }

  send(text: string, rest: Rest = null): void {
    if (!this.open) return;
    this.pending.push(text, rest);
    this.pendingBytes += Buffer.byteLength(text) + restBytes(rest);
    if (this.sink.bufferedAmount + this.pendingBytes > this.capBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.sink.terminate();
      this.onOverflow();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      toFlush.push(this);
      if (toFlush.length === 1) setImmediate(flushAll);
    }
  }

  /**
   * An answer to what the client just sent (a heartbeat's ACK), as its text and as the sink's framed bytes of it
   * (prepared once: the same bytes for every connection). When nothing is waiting for the tick's write the frame
   * goes straight to the sink in one write, so the order of what the connection carries holds. Else the text queues
   * behind what waits.
   */
  reply(text: string, frame: Buffer): void {
    if (!this.scheduled && this.open && this.sink.bufferedAmount + frame.length <= this.capBytes)
      this.sink.writeFramed(frame);
    else this.send(text);
  }

  flush(): void {
    this.scheduled = false;
    const frames = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (!frames.length || !this.open) return;
    this.sink.cork();
    for (let i = 0; i < frames.length; i += 2) this.sink.write(frames[i] as string, frames[i + 1] as Rest);
    this.sink.uncork();
  }

  /** Cuts the connection off at once (its session may resume). */
  terminate(): void {
    this.sink.terminate();
  }

  /** Sends what is queued, then closes with the transport's close code. */
  close(code: number, reason: string): void {
    this.flush();
    if (this.open) this.sink.close(code, reason);
  }
}
