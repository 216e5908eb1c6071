import type { Logger } from 'pino';
import type { Bus } from '../events/bus';
import {
  type Checkpoint,
  GATEWAY_LEASE_MS,
  RELEASED,
  type SessionRecord,
  type SessionStore,
} from '../state/session-store';
import type { Session, SessionSnapshot } from './session';

/** How often changed sessions are checkpointed and this process's lease renewed. */
const TICK_MS = 1000;
/** Unchanged sessions are checkpointed this often too: their record's position stays within the stream. */
const REFRESH_MS = 5000;
const MAX_CHECKPOINTS = 32;

interface Kept {
  checkpoints: Checkpoint[];
  writtenSeq: number;
  writtenAt: number;
  epoch: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The newest checkpoint a client at `clientSeq` has passed, if no dispatch the stream cannot rebuild lies after it:
 * replaying the stream from there numbers every later dispatch as the dead process did.
 */
export function chooseCheckpoint(checkpoints: Checkpoint[], clientSeq: number): Checkpoint | null {
  let chosen: Checkpoint | null = null;
  for (const c of checkpoints) if (c.seq <= clientSeq) chosen = c;
  if (!chosen || checkpoints.some((c) => c.barrier && c.seq > chosen.seq)) return null;
  return chosen;
}

/**
 * Keeps in Redis what another process needs to resume each session of this one if it dies without handing them off
 * (SIGKILL, a crash): the session's identity and checkpoints of its sequence against the bus stream (ADR 0020).
 */
export class ResumeRecords {
  private readonly kept = new WeakMap<Session, Kept>();
  private readonly due = new Set<Session>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly o: {
      store: SessionStore<SessionSnapshot>;
      bus: Bus;
      /** This gateway process's name. */
      tag: string;
      /** How long a record outlives its last write: the resume window. */
      ttlMs: number;
      log: Logger;
    },
  ) {}

  /** Checkpoints `sessions()` every second from now on (those that changed, the others now and then). */
  start(sessions: () => Iterable<Session>): void {
    this.timer = setInterval(() => {
      this.tick([...sessions()]).catch(() => {});
    }, TICK_MS);
    this.timer.unref();
  }

  /** Ends this process's lease: its sessions were handed off, or are gone. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.o.store.release(this.o.tag);
  }

  /** Keeps the session's record from now on; a dispatch the stream cannot rebuild waits for its checkpoint. */
  watch(session: Session): void {
    session.onBarrier = () => {
      if (this.due.size === 0) setImmediate(() => this.flushDue());
      this.due.add(session);
    };
  }

  forget(sessions: Session[]): void {
    for (const s of sessions) this.kept.delete(s);
    this.o.store.remove(sessions.map((s) => s.id)).catch(() => {});
  }

  /**
   * Lets go of a session another process was asked to resume: its record gets a last checkpoint, taken as this
   * process stops routing to it (the caller has just forgotten it), and no owner.
   */
  release(session: Session): void {
    this.write([session], false, RELEASED).catch(() => {});
    this.kept.delete(session);
  }

  /**
   * For a RESUME of a session this process does not hold: its record, once its owner let go of it (`ask` asks it to)
   * or is dead (waiting out its lease), claimed by this process, with the checkpoint to rebuild it from; null when it
   * cannot be resumed.
   */
  async take(
    id: string,
    userId: string,
    clientSeq: number,
    ask: () => void,
  ): Promise<{ snapshot: SessionSnapshot; checkpoint: Checkpoint } | null> {
    const { store, bus, tag } = this.o;
    try {
      let record = await store.load(id);
      if (!record || record.userId !== userId || record.epoch !== bus.epoch() || record.owner === tag)
        return null;
      if (record.owner !== RELEASED) ask();
      for (const deadline = Date.now() + GATEWAY_LEASE_MS + TICK_MS; ; await sleep(100)) {
        if (record.owner === RELEASED || !(await store.alive(record.owner))) break;
        if (Date.now() > deadline) return null;
        record = await store.load(id);
        if (!record) return null;
      }
      if (!(await store.claim(id, record.owner, tag))) return null;
      const last = (await store.load(id)) ?? record;
      const checkpoint = chooseCheckpoint(last.checkpoints, clientSeq);
      return checkpoint ? { snapshot: last.snapshot, checkpoint } : null;
    } catch (err) {
      this.o.log.warn({ err }, 'could not read a session record');
      return null;
    }
  }

  private async tick(sessions: Session[]): Promise<void> {
    const now = Date.now();
    const epoch = this.o.bus.epoch();
    const changed = sessions.filter((s) => {
      if (s.adopted) return false;
      const k = this.kept.get(s);
      return !k || k.writtenSeq !== s.seq || now - k.writtenAt >= REFRESH_MS || k.epoch !== epoch;
    });
    // Written even when empty: the write renews this process's lease.
    await this.write(changed, false);
  }

  private async flushDue(): Promise<void> {
    const sessions = [...this.due];
    this.due.clear();
    const kept = sessions.filter((s) => !s.adopted);
    const written = await this.write(kept, true);
    // Released either way: with Redis unreachable the session is served without a record rather than stalled.
    for (const s of sessions) s.persisted(written.get(s) ?? s.seq);
  }

  /** Checkpoints the sessions now and writes their records; the sequence each checkpoint covers. */
  private async write(
    sessions: Session[],
    barrier: boolean,
    owner = this.o.tag,
  ): Promise<Map<Session, number>> {
    const now = Date.now();
    const epoch = this.o.bus.epoch();
    const covered = new Map<Session, number>();
    const records: Array<[string, SessionRecord<SessionSnapshot>]> = [];
    for (const s of sessions) {
      const c = this.checkpoint(s, epoch, barrier);
      covered.set(s, c.seq);
      records.push([
        s.id,
        {
          owner,
          userId: s.principal.userId,
          epoch,
          snapshot: s.snapshot(false),
          checkpoints: this.kept.get(s)!.checkpoints,
        },
      ]);
    }
    try {
      await this.o.store.save(this.o.tag, records, this.o.ttlMs);
      for (const [s, seq] of covered) {
        const k = this.kept.get(s);
        if (k) {
          k.writtenSeq = seq;
          k.writtenAt = now;
        }
      }
    } catch (err) {
      if (sessions.length) this.o.log.debug({ err }, 'could not write session records');
    }
    return covered;
  }

  /** Adds a checkpoint of the session as it is now; drops those older than the newest its client has passed. */
  private checkpoint(s: Session, epoch: string, barrier: boolean): Checkpoint {
    let k = this.kept.get(s);
    if (!k || k.epoch !== epoch) {
      // Positions of another stream epoch (Redis restarted empty) mean nothing now.
      k = { checkpoints: [], writtenSeq: -1, writtenAt: 0, epoch };
      this.kept.set(s, k);
    }
    // A held session has had the events up to where its holding began.
    const c: Checkpoint = { seq: s.seq, at: s.backlog ? s.heldAt : this.o.bus.position() };
    if (barrier) c.barrier = true;
    const list = k.checkpoints;
    if (list.length && list[list.length - 1].seq === c.seq && !list[list.length - 1].barrier) list.pop();
    list.push(c);
    let from = 0;
    for (let i = 0; i < list.length; i++) if (list[i].seq <= s.acked) from = i;
    list.splice(0, Math.max(from, list.length - MAX_CHECKPOINTS));
    return c;
  }
}
