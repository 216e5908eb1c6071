import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { BUS_GAP, type BusEvent } from '../events/bus';
import { Connections } from './connection';
import { InFlight } from './core/in-flight';
import { Handoff } from './handoff';
import { Handshake } from './identify';
import { MemberLists } from './member-lists';
import type { GatewayOptions } from './options';
import { Requests } from './requests';
import { ResumeRecords } from './resume-records';
import { Router } from './routing';
import { Sessions } from './sessions';
import { VoiceRequests } from './voice';

/**
 * Discord Gateway v10 over `ws`, fed by the bus. One per process. This class only puts the parts together:
 * connection.ts (sockets, heartbeats, limits, close codes), identify.ts (IDENTIFY and RESUME), sessions.ts (the
 * session registry and a session's life), routing.ts (bus events to sessions), handoff.ts (sessions passing between
 * processes), requests.ts (op 3, 8 and 14). The transport-neutral parts are in core/.
 */
export class Gateway {
  /** This process's name on the bus, for session handoff. */
  private readonly tag = randomBytes(8).toString('hex');
  /** Payloads being handled and sessions being loaded: `close` lets them finish before the database closes. */
  private readonly inFlight = new InFlight();
  private readonly sessions: Sessions;
  private readonly router: Router;
  private readonly handoff: Handoff;
  private readonly connections: Connections;
  private presenceTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private closing = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly opts: GatewayOptions) {
    const records = opts.sessionStore
      ? new ResumeRecords({
          store: opts.sessionStore,
          bus: opts.bus,
          tag: this.tag,
          ttlMs: opts.sessionTtlMs,
          log: opts.log,
        })
      : null;
    this.sessions = new Sessions(opts, records);
    const lists = new MemberLists(opts);
    this.sessions.onForget = (session) => lists.forget(session);
    this.router = new Router(opts, this.sessions, lists);
    this.handoff = new Handoff(opts, this.tag, this.sessions, this.router, this.inFlight);
    this.connections = new Connections(opts, {
      sessions: this.sessions,
      router: this.router,
      handshake: new Handshake(opts, this.sessions, this.router, this.handoff),
      requests: new Requests(opts, this.sessions, lists),
      voice: new VoiceRequests(opts),
      inFlight: this.inFlight,
    });
  }

  /** Handles WebSocket upgrades on `/gateway` and starts receiving bus events. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.connections.upgrade(request, socket, head),
    );
    this.unsubscribe = this.opts.bus.subscribe((event) => this.onEvent(event));
    this.sessions.records?.start(() => this.sessions.values());
    this.presenceTimer = setInterval(() => this.sessions.refreshPresences(), this.opts.presenceRefreshMs);
    this.presenceTimer.unref();
    const interval = this.opts.heartbeatIntervalMs;
    this.watchdog = setInterval(
      () => this.connections.sweepHeartbeats(),
      Math.max(Math.min(interval / 4, 10_000), 10),
    );
    this.watchdog.unref();
  }

  /**
   * One bus event. The domain's caches have seen it already (app.ts subscribes them before the gateway, and the
   * bus calls its listeners in that order), so a session never gets an event before the data it relies on is fresh.
   */
  private onEvent(event: BusEvent): void {
    const [kind, id] = event.topic.split(':');
    if (kind === 'gateway') {
      this.handoff.control(id, event);
      return;
    }
    if (event.t === BUS_GAP) {
      this.sessions.invalidateAll();
      this.handoff.clear();
      return;
    }
    this.handoff.record(event);
    this.router.route(event);
  }

  /** Drops the sockets of a user's sessions without ending the sessions (for tests of resuming). */
  dropConnections(userId: string): void {
    for (const session of this.sessions.ofUser(userId) ?? []) session.outbox?.terminate();
  }

  /** Whether a session currently has a live socket (for tests and diagnostics). */
  isConnected(sessionId: string): boolean {
    return !!this.sessions.get(sessionId)?.outbox?.open;
  }

  /**
   * On shutdown the sessions are handed to the other processes through the bus (handoff.ts), then every client is
   * told to reconnect (op 7) and resumes on any process without loss.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.connections.closing = true;
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    await this.handoff.begin();
    this.unsubscribe?.();
    await this.handoff.handOver();
    this.connections.reconnectAll();
    for (const s of this.sessions.values()) if (s.expiry) clearTimeout(s.expiry);
    await this.sessions.records?.stop();
    await this.connections.closeServer();
    // Identifies and loads still running use the database, which closes next: let them end (for a bounded time).
    await this.inFlight.settle(2000);
  }
}
