import { GatewayClose } from '@hearth/protocol';
import type { BusEvent } from '../events/bus';
import type { InFlight } from './core/in-flight';
import type { GatewayOptions } from './options';
import { asFields, type Router } from './routing';
import { Session, type SessionSnapshot } from './session';
import type { Sessions } from './sessions';

/**
 * Sessions passing between gateway processes over the bus (topic `gateway:<process tag>`, ADR 0007 and 0020).
 *
 * On shutdown the sessions are handed to the other processes, then every client is told to reconnect (op 7) and
 * resumes on any process without loss. The handoff is in two steps so that nothing falls between them: this process
 * announces it (`begin`), keeps delivering until its own announcement comes back (so it has seen every event before
 * it), then publishes its sessions (`handOver`); the others record events from the announcement on and replay them
 * into the sessions they adopt. A RESUME on another process asks for a session held here (SESSION_WANTED) and tells
 * the copies adopted elsewhere that it is taken (SESSION_CLAIMED).
 */
export class Handoff {
  /** Events seen since another process announced a handoff, by that process's tag. */
  private readonly recordings = new Map<string, BusEvent[]>();
  private onOwnHandoff: (() => void) | null = null;

  constructor(
    private readonly opts: Pick<GatewayOptions, 'bus' | 'log' | 'services'>,
    /** This process's name on the bus. */
    private readonly tag: string,
    private readonly sessions: Sessions,
    private readonly router: Router,
    private readonly inFlight: InFlight,
  ) {}

  /** Publishes a message to the other gateway processes. */
  announce(t: string, d: unknown): Promise<void> {
    return this.opts.bus.publish({ t, topic: `gateway:${this.tag}`, d });
  }

  /** Announces the handoff; resolves once the announcement came back (or after 2 s). */
  async begin(): Promise<void> {
    const handedOff = new Promise<void>((resolve) => {
      this.onOwnHandoff = resolve;
      setTimeout(resolve, 2000).unref();
    });
    await this.announce('HANDOFF_BEGIN', {}).catch((err) =>
      this.opts.log.warn({ err }, 'could not announce the session handoff'),
    );
    await handedOff;
  }

  /** Publishes this process's sessions for the others to adopt. */
  async handOver(): Promise<void> {
    // A session mid-load (events held) is not handed off: its client resumes nowhere and identifies afresh.
    const snapshots = [...this.sessions.values()].filter((s) => !s.backlog).map((s) => s.snapshot());
    await this.announce('HANDOFF', { sessions: snapshots }).catch((err) =>
      this.opts.log.warn({ err }, 'could not hand off sessions'),
    );
  }

  /** Keeps an event for the sessions another process is about to hand over. */
  record(event: BusEvent): void {
    for (const recording of this.recordings.values()) recording.push(event);
  }

  /** Events were lost: what was recorded cannot be replayed whole (see Sessions.invalidateAll). */
  clear(): void {
    this.recordings.clear();
  }

  /** A message from a gateway process (this one included). */
  control(from: string, event: BusEvent): void {
    const mine = from === this.tag;
    switch (event.t) {
      case 'HANDOFF_BEGIN':
        if (mine) {
          this.onOwnHandoff?.();
          this.onOwnHandoff = null;
        } else this.recordings.set(from, []);
        return;
      case 'HANDOFF': {
        const recorded = this.recordings.get(from) ?? [];
        this.recordings.delete(from);
        if (mine) return;
        const sessions = (asFields(event.d).sessions ?? []) as SessionSnapshot[];
        for (const snap of sessions) this.adopt(snap, recorded);
        return;
      }
      case 'SESSION_WANTED': {
        // A client resumes on another process: a session held here that waits for no checkpoint is let go of.
        const session = this.sessions.get(String(asFields(event.d).session_id));
        if (mine || !session || session.adopted || session.backlog || session.awaitingCheckpoint) return;
        if (session.expiry) clearTimeout(session.expiry);
        this.sessions.forget(session);
        this.sessions.records?.release(session);
        session.outbox?.close(GatewayClose.UnknownError, 'Resumed elsewhere');
        session.outbox = null;
        return;
      }
      case 'SESSION_CLAIMED': {
        // Another process resumed a session this one adopted too: forget the copy quietly.
        const session = this.sessions.get(String(asFields(event.d).session_id));
        if (mine || !session?.adopted || session.outbox) return;
        if (session.expiry) clearTimeout(session.expiry);
        this.sessions.forget(session);
        return;
      }
    }
  }

  /** Keeps a session handed off by a process that shut down, resumable here; events since the handoff are kept. */
  private adopt(snap: SessionSnapshot, recorded: BusEvent[]): void {
    if (this.sessions.has(snap.id)) return;
    const session = Session.restore(snap);
    this.sessions.track(session);
    this.sessions.detach(session);
    session.loading = this.inFlight
      .add(
        this.router.held(session, async () => {
          session.backlog!.push(...recorded);
          const { guilds, dmChannelIds } = await this.opts.services.sessionData.caches(
            session.principal.userId,
          );
          for (const g of guilds) session.state.guilds.set(g.id, g);
          for (const id of dmChannelIds) session.state.dms.add(id);
        }),
      )
      .catch((err) => this.opts.log.warn({ err }, 'could not load an adopted session'))
      .finally(() => {
        session.loading = null;
      });
  }
}
