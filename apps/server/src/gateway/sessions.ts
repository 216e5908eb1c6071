import { GatewayClose, GatewayOp } from '@hearth/protocol';
import { SessionRegistry } from './core/registry';
import type { GatewayOptions } from './options';
import type { ResumeRecords } from './resume-records';
import type { Session } from './session';

/**
 * The keys a session is listed under in the audience index: its guilds, its DMs, `presences:<guild>`, and
 * `member:<guild>:<user>` for the members whose presences it follows by id (op 14 `members`).
 */
function audienceKeys(session: Session): Set<string> {
  const keys = new Set([...session.state.guilds.keys(), ...session.state.dms]);
  for (const id of session.state.guilds.keys())
    if (session.receivesPresences(id)) keys.add(`presences:${id}`);
  for (const [guildId, userIds] of session.watching ?? [])
    if (session.state.guilds.has(guildId))
      for (const userId of userIds) keys.add(`member:${guildId}:${userId}`);
  return keys;
}

/**
 * This process's Discord gateway sessions: the transport-neutral registry (by id, user and audience) with what a
 * Discord session's life adds to it — its resume record, the resume window after its socket drops, its presence.
 */
export class Sessions extends SessionRegistry<Session> {
  constructor(
    private readonly opts: Pick<GatewayOptions, 'services' | 'log' | 'sessionTtlMs'>,
    /** With Redis: each session's resume record, for another process to resume it if this one dies. */
    readonly records: ResumeRecords | null,
  ) {
    super();
  }

  track(session: Session): void {
    this.add(session);
    if (!session.adopted) this.records?.watch(session);
  }

  /** Told of every session forgotten (the lazy member lists it followed). */
  onForget: ((session: Session) => void) | null = null;

  forget(session: Session): void {
    this.remove(session);
    this.onForget?.(session);
  }

  /**
   * Lists the session under exactly the guilds and DMs its cache holds now, and under `presences:<guild>` for those
   * whose every presence it gets.
   */
  override reindex(session: Session, now = audienceKeys(session)): void {
    super.reindex(session, now);
  }

  /** Keeps a disconnected session for the resume window, then forgets it. */
  detach(session: Session): void {
    session.outbox = null;
    session.expiry = setTimeout(() => this.destroy(session), this.opts.sessionTtlMs);
    session.expiry.unref();
  }

  /**
   * Ends a session for good: its presence and voice state go, and with the user's last session their temporary
   * memberships.
   */
  destroy(session: Session): void {
    if (session.expiry) clearTimeout(session.expiry);
    const { presence, members, voice } = this.opts.services;
    const userId = session.principal.userId;
    voice
      .sessionEnded(userId, session.id)
      .catch((err) => this.opts.log.warn({ err }, 'could not end a voice state (the voice sweep will)'));
    presence
      .set(userId, session.id, null, [...session.state.guilds.keys()])
      .then(async () => {
        // Gone everywhere: temporary memberships end, as on Discord (a job, which checks again when it runs).
        if (!(await presence.connected(userId))) await members.lastSessionGone(userId);
      })
      .catch((err) => this.opts.log.warn({ err }, 'could not clear presence or temporary memberships'));
    this.forget(session);
    this.records?.forget([session]);
    session.outbox?.close(GatewayClose.AuthenticationFailed, 'Session revoked');
    session.outbox = null;
  }

  /**
   * Events were lost for this process (ADR 0020): no session here can be resumed without missing them, so each is
   * ended with op 9 and its client identifies afresh (and refetches what it shows). Presences expire on their own.
   */
  invalidateAll(): void {
    this.opts.log.warn({ sessions: this.size }, 'bus events were lost: invalidating gateway sessions');
    this.records?.forget([...this.values()]);
    for (const session of [...this.values()]) {
      if (session.expiry) clearTimeout(session.expiry);
      this.forget(session);
      session.outbox?.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false }));
      session.outbox?.close(GatewayClose.UnknownError, 'Invalid session');
      session.outbox = null;
    }
  }

  /** One batched write keeps the presence of every session this process holds from expiring in the store. */
  refreshPresences(): void {
    // A session whose events are held is mid-load: an identifying one has set no presence yet (writing it first
    // would hide its arrival from presence.set); the others are refreshed next time, well within the TTL.
    const live = [...this.values()]
      .filter((s) => !s.backlog)
      .map((s) => ({
        userId: s.principal.userId,
        sessionId: s.id,
        presence: s.presence,
      }));
    this.opts.services.presence
      .refresh(live)
      .catch((err) => this.opts.log.warn({ err }, 'could not refresh presences'));
  }
}
