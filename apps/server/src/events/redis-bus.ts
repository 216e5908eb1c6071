import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { BUS_GAP, type Bus, type BusEvent, comparePositions } from './bus';

/** How many events the shared stream keeps (about: trimming is by whole nodes); the bound of every replay. */
const STREAM_LENGTH = 100_000;
/** Events this process published while Redis was unreachable, kept in order to be written when it is back. */
const MAX_PENDING = 50_000;
/** Events written lately, written again if Redis comes back without its data (readers drop those they had). */
const REWRITE_MS = 30_000;
const REWRITE_MAX = 20_000;
const BATCH = 500;

/** An event as stored in the stream: with its origin process and that process's counter, to drop repeats and see gaps. */
interface Entry {
  t: string;
  topic: string;
  d: unknown;
  o: string;
  n: number;
}

interface Queued {
  n: number;
  json: string;
}

export interface RedisBusOptions {
  /** The reader connection's name in CLIENT LIST. */
  name?: string;
  /** The stream's key (tests use their own). */
  stream?: string;
  maxLength?: number;
  maxPending?: number;
  /** Told when a listener throws (the other listeners and the reading go on). */
  onListenerError?: (err: unknown, event: BusEvent) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Redis server's run id: it changes when Redis restarts, and with it (without persistence) the stream. */
async function runId(redis: Redis): Promise<string> {
  return (await redis.info('server')).match(/run_id:(\w+)/)?.[1] ?? '';
}

/**
 * The bus over one Redis stream (ADR 0020): each event is one XADD, trimmed to about STREAM_LENGTH; each process reads
 * the stream from the last position it read, so after an outage it catches up instead of losing what went by.
 * Publishing queues locally and writes in order, so an event published while Redis is down is written when it is back.
 */
export async function createRedisBus(url: string, opts: RedisBusOptions = {}): Promise<Bus> {
  const bus = new RedisStreamBus(url, opts);
  await bus.start();
  return bus;
}

class RedisStreamBus implements Bus {
  private readonly stream: string;
  private readonly maxLength: number;
  private readonly maxPending: number;
  private readonly writer: Redis;
  private readonly reader: Redis;
  private readonly emitter = new EventEmitter();
  private readonly origin = randomBytes(8).toString('hex');
  private counter = 0;
  private pending: Queued[] = [];
  private recent: Array<Queued & { at: number }> = [];
  private flushing: Promise<void> | null = null;
  /** Callers of written(), each waiting for the events up to its counter to be in the stream. */
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  private writerEpoch = '';
  private writerCheck = false;
  private readerEpoch = '';
  private readerCheck = false;
  private last = '0-0';
  /** The highest counter read from each origin. */
  private readonly seen = new Map<string, number>();
  private readerUp = true;
  private writerUp = true;
  private closed = false;
  private reading: Promise<void> | null = null;
  private readonly onListenerError: (err: unknown, event: BusEvent) => void;

  constructor(url: string, opts: RedisBusOptions) {
    this.onListenerError = opts.onListenerError ?? (() => {});
    this.stream = opts.stream ?? 'hearth:events';
    this.maxLength = opts.maxLength ?? STREAM_LENGTH;
    this.maxPending = opts.maxPending ?? MAX_PENDING;
    // No offline queue and no resending: a command fails at once while Redis is away, and the loops here retry
    // after checking what Redis kept.
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 5000,
    };
    this.writer = new Redis(url, common);
    this.reader = new Redis(url, { ...common, connectionName: opts.name ?? 'hearth-events' });
    this.emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    await Promise.all([this.writer.connect(), this.reader.connect()]);
    const [epoch, newest] = await Promise.all([
      runId(this.reader),
      this.reader.xrevrange(this.stream, '+', '-', 'COUNT', 1),
    ]);
    this.readerEpoch = this.writerEpoch = epoch;
    this.last = newest[0]?.[0] ?? '0-0';
    this.writer.on('close', () => {
      this.writerCheck = true;
    });
    this.reader.on('close', () => {
      this.readerCheck = true;
    });
    this.writer.on('error', () => {});
    this.reader.on('error', () => {});
    this.reading = this.read();
  }

  async publish(event: BusEvent): Promise<void> {
    if (this.closed) return;
    const n = ++this.counter;
    const entry: Entry = { t: event.t, topic: event.topic, d: event.d, o: this.origin, n };
    this.pending.push({ n, json: JSON.stringify(entry) });
    // Past the bound the oldest is dropped: its counter is missing from the stream, so every reader sees the gap.
    if (this.pending.length > this.maxPending) this.pending.shift();
    this.kick();
  }

  subscribe(listener: (event: BusEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  connected(): boolean {
    return this.readerUp && this.writerUp;
  }

  written(): Promise<void> {
    if (!this.pending.length || !this.writerUp || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n: this.counter, resolve }));
  }

  /** Lets go of the written() callers whose events are in the stream, or all of them while it is unreachable. */
  private release(): void {
    if (!this.waiters.length) return;
    const first = this.pending[0]?.n ?? Number.POSITIVE_INFINITY;
    const all = !this.writerUp || this.closed;
    const waiting = [];
    for (const w of this.waiters) {
      if (all || w.n < first) w.resolve();
      else waiting.push(w);
    }
    this.waiters = waiting;
  }

  position(): string {
    return this.last;
  }

  epoch(): string {
    return this.readerEpoch;
  }

  async range(after: string, until: string): Promise<BusEvent[] | null> {
    if (comparePositions(after, until) >= 0) return [];
    // What follows `after` is all there only if nothing at or after it was trimmed.
    const info = (await this.writer.call('XINFO', 'STREAM', this.stream).catch(() => null)) as
      | unknown[]
      | null;
    if (!info) return null;
    const field = (name: string) => info[info.indexOf(name) + 1];
    const first = (field('first-entry') as [string] | null)?.[0];
    const kept =
      after === '0-0'
        ? Number(field('entries-added')) === Number(field('length'))
        : !!first && comparePositions(first, after) <= 0;
    if (!kept) return null;
    const out: BusEvent[] = [];
    const seen = new Map<string, number>();
    for (let from = `(${after}`; ; ) {
      const page = await this.writer.xrange(this.stream, from, until, 'COUNT', 1000);
      for (const [id, fields] of page) {
        const entry = parseEntry(fields);
        if (!entry || (seen.get(entry.o) ?? 0) >= entry.n) continue;
        seen.set(entry.o, entry.n);
        out.push({ t: entry.t, topic: entry.topic, d: entry.d, id });
      }
      if (page.length < 1000) return out;
      from = `(${page[page.length - 1][0]}`;
    }
  }

  async close(): Promise<void> {
    // What is still queued gets a moment to reach the stream.
    for (const deadline = Date.now() + 2000; this.pending.length && this.writerUp && Date.now() < deadline; )
      await sleep(20);
    this.closed = true;
    this.release();
    this.emitter.removeAllListeners();
    this.reader.disconnect();
    await this.reading?.catch(() => {});
    await this.writer.quit().catch(() => this.writer.disconnect());
  }

  private kick(): void {
    if (this.flushing || this.closed) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      if (this.pending.length) this.kick();
    });
  }

  /** Writes the queued events in order, in batches; on failure waits and tries the same batch again. */
  private async flush(): Promise<void> {
    while (this.pending.length && !this.closed) {
      try {
        if (this.writerCheck) {
          const epoch = await runId(this.writer);
          // Redis came back empty: what was written lately may not have been read by every process.
          if (epoch !== this.writerEpoch) this.pending.unshift(...this.recent.splice(0));
          this.writerEpoch = epoch;
          this.writerCheck = false;
        }
        const batch = this.pending.slice(0, BATCH);
        const pipe = this.writer.pipeline();
        for (const e of batch) pipe.xadd(this.stream, 'MAXLEN', '~', this.maxLength, '*', 'e', e.json);
        const results = await pipe.exec();
        const failed = results?.find(([err]) => err);
        if (!results || failed) throw failed?.[0] ?? new Error('pipeline aborted');
        this.writerUp = true;
        const lastN = batch[batch.length - 1].n;
        while (this.pending.length && this.pending[0].n <= lastN) this.pending.shift();
        const now = Date.now();
        for (const e of batch) this.recent.push({ ...e, at: now });
        while (this.recent.length > REWRITE_MAX || now - this.recent[0].at > REWRITE_MS) this.recent.shift();
        this.release();
      } catch {
        this.writerUp = false;
        this.writerCheck = true;
        this.release();
        await sleep(200);
      }
    }
  }

  /** Reads the stream from the last position read, for as long as the bus is open. */
  private async read(): Promise<void> {
    while (!this.closed) {
      try {
        if (this.readerCheck) await this.recheck();
        const res = await this.reader.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', this.stream, this.last);
        this.readerUp = true;
        for (const [, entries] of res ?? []) for (const [id, fields] of entries) this.take(id, fields);
      } catch {
        if (this.closed) return;
        this.readerUp = false;
        this.readerCheck = true;
        await sleep(200);
      }
    }
  }

  /** After a lost connection: a new stream is read from its start; in the same one, a trimmed position is a gap. */
  private async recheck(): Promise<void> {
    const epoch = await runId(this.reader);
    if (epoch !== this.readerEpoch) {
      this.readerEpoch = epoch;
      this.last = '0-0';
    } else if (this.last !== '0-0') {
      const [first] = await this.reader.xrange(this.stream, '-', '+', 'COUNT', 1);
      if (first && comparePositions(first[0], this.last) > 0) this.gap();
    }
    this.readerCheck = false;
  }

  private take(id: string, fields: string[]): void {
    this.last = id;
    const entry = parseEntry(fields);
    if (!entry) return;
    const prev = this.seen.get(entry.o);
    // A repeat (written again after a failed batch or a Redis restart) was delivered already.
    if (prev !== undefined && entry.n <= prev) return;
    this.seen.set(entry.o, entry.n);
    if (prev !== undefined && entry.n > prev + 1) this.gap();
    this.emit({ t: entry.t, topic: entry.topic, d: entry.d, id });
  }

  /** To every listener, each on its own: one that throws is reported and does not stop the reading. */
  private emit(event: BusEvent): void {
    for (const listener of this.emitter.listeners('event') as Array<(e: BusEvent) => void>) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  private gap(): void {
    this.emit({ t: BUS_GAP, topic: 'bus:gap', d: null });
  }
}

function parseEntry(fields: string[]): Entry | null {
  try {
    const entry = JSON.parse(fields[fields.indexOf('e') + 1]) as Entry;
    return typeof entry.o === 'string' && typeof entry.n === 'number' ? entry : null;
  } catch {
    // A malformed entry is dropped, never fatal.
    return null;
  }
}
