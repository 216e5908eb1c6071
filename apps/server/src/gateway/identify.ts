import {
  ALL_INTENTS,
  ApplicationFlags,
  GatewayClose,
  GatewayOp,
  Intent,
  isValidIntents,
  PRIVILEGED_INTENTS,
} from '@hearth/protocol';
import type { Principal } from '../domain/auth/auth.service';
import { tokenOwner } from '../domain/auth/tokens';
import { comparePositions } from '../events/bus';
import type { Outbox } from './core/outbox';
import { sendGuildCreate } from './guild-create';
import type { Handoff } from './handoff';
import type { GatewayOptions } from './options';
import { asFields, type Router } from './routing';
import { Session } from './session';
import { SessionState } from './session-state';
import type { Sessions } from './sessions';

/** IDENTIFY budget per user: `identifyLimit` per this window (Discord's max_concurrency window). */
const IDENTIFY_WINDOW_MS = 5000;

/** IDENTIFY's `large_threshold`: 50 by default, clamped to Discord's 50–250. */
function largeThreshold(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) ? Math.min(Math.max(v, 50), 250) : 50;
}

/** An error that closes the socket with a gateway close code. */
const fail = (code: number, message: string) => Object.assign(new Error(message), { gatewayClose: code });

/**
 * How a socket gets a session: IDENTIFY (a new one, with READY and a GUILD_CREATE per guild) or RESUME (one kept
 * here, adopted from a process that shut down, or rebuilt from the record of one that died).
 */
export class Handshake {
  constructor(
    private readonly opts: Pick<
      GatewayOptions,
      'services' | 'bus' | 'log' | 'resumeUrl' | 'limiter' | 'identifyLimit'
    >,
    private readonly sessions: Sessions,
    private readonly router: Router,
    private readonly handoff: Handoff,
  ) {}

  /** IDENTIFY: a new session, or null when the user is over the IDENTIFY rate limit (answered with op 9). */
  async identify(outbox: Outbox, payload: unknown): Promise<Session | null> {
    const d = asFields(payload);
    if (typeof d.token !== 'string') throw fail(GatewayClose.DecodeError, 'Invalid identify payload');
    const { auth, sessionData, presence } = this.opts.services;
    // A user's token is checked here for its signature, and for its login session by the statement that loads the
    // session's data (one statement per IDENTIFY); any other token is authenticated first.
    const user = auth.userPrincipal(d.token);
    const principal: Principal | null = user ?? (await this.authenticate(d.token));
    if (!principal) throw fail(GatewayClose.AuthenticationFailed, 'Authentication failed');
    let intents = ALL_INTENTS;
    if (principal.bot) {
      if (!isValidIntents(d.intents)) throw fail(GatewayClose.InvalidIntents, 'Invalid intent(s)');
      intents = d.intents;
    } else if (d.intents != null && !isValidIntents(d.intents)) {
      // Users need not send intents (they get every event they may see), but what they send must be intents.
      throw fail(GatewayClose.InvalidIntents, 'Invalid intent(s)');
    }
    const { applicationFlags } = principal;
    if (principal.bot) {
      const allowed =
        (applicationFlags &
        (ApplicationFlags.GatewayGuildMembers | ApplicationFlags.GatewayGuildMembersLimited)
          ? Intent.GuildMembers
          : 0) |
        (applicationFlags & (ApplicationFlags.GatewayPresence | ApplicationFlags.GatewayPresenceLimited)
          ? Intent.GuildPresences
          : 0) |
        (applicationFlags &
        (ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited)
          ? Intent.MessageContent
          : 0);
      if (intents & PRIVILEGED_INTENTS & ~allowed)
        throw fail(GatewayClose.DisallowedIntents, 'Disallowed intent(s)');
    }
    const session = new Session(principal, d.token, intents, new SessionState(principal.userId));
    session.largeThreshold = largeThreshold(d.large_threshold);
    session.presence = presence.parse(d.presence) ?? session.presence;
    this.sessions.track(session);
    let limited = false;
    try {
      // Held from before the first read: READY and every GUILD_CREATE come first, then whatever happened meanwhile.
      await this.router.held(session, async () => {
        const data = await sessionData.load(principal, user);
        if (!data) throw fail(GatewayClose.AuthenticationFailed, 'Authentication failed');
        // Counted once the token is known to be good: a revoked one cannot spend its user's IDENTIFY budget.
        const budget = await this.opts.limiter.hit(
          `identify:${principal.userId}`,
          this.opts.identifyLimit,
          IDENTIFY_WINDOW_MS,
        );
        if (!budget.allowed) {
          limited = true;
          this.sessions.forget(session);
          return;
        }
        for (const g of data.guilds) session.state.guilds.set(g.state.id, g.state);
        for (const id of data.dmChannelIds) session.state.dms.add(id);
        session.outbox = outbox;
        const mine = await presence.set(principal.userId, session.id, session.presence, [
          ...session.state.guilds.keys(),
        ]);
        session.dispatch('READY', {
          ...data.ready,
          session_id: session.id,
          resume_gateway_url: this.opts.resumeUrl,
        });
        for (const g of data.guilds) sendGuildCreate(session, g, mine);
        for (const call of data.calls) session.dispatch('CALL_CREATE', call);
      });
    } catch (err) {
      this.sessions.forget(session);
      presence.set(principal.userId, session.id, null, [...session.state.guilds.keys()]).catch(() => {});
      throw err;
    }
    // Over the budget, or invalidated while loading (events were lost, see Sessions.invalidateAll).
    if (limited || !this.sessions.has(session.id)) {
      outbox.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false }));
      return null;
    }
    return session;
  }

  /** RESUME: the session continues on this socket from the client's sequence, or null (answered with op 9). */
  async resume(outbox: Outbox, payload: unknown): Promise<Session | null> {
    const d = asFields(payload);
    const id = typeof d.session_id === 'string' ? d.session_id : '';
    let session = this.sessions.get(id);
    const principal = typeof d.token === 'string' ? await this.authenticate(d.token) : null;
    const seq = Number(d.seq ?? 0);
    // Not here: perhaps a session of a process that died, rebuilt from its record.
    if (!session && principal && this.sessions.records && Number.isInteger(seq))
      session = await this.rebuild(id, principal.userId, seq);
    await session?.loading;
    if (!session || !principal || principal.userId !== session.principal.userId) {
      outbox.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false }));
      return null;
    }
    if (!Number.isInteger(seq) || seq > session.seq) {
      outbox.close(GatewayClose.InvalidSeq, 'Invalid seq');
      return null;
    }
    const oldest = session.buffer[0]?.s ?? session.seq + 1;
    if (seq < oldest - 1) {
      // The missed events are no longer held: start afresh.
      outbox.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false }));
      return null;
    }
    if (session.expiry) clearTimeout(session.expiry);
    session.expiry = null;
    if (session.outbox && session.outbox !== outbox)
      session.outbox.close(GatewayClose.UnknownError, 'Resumed elsewhere');
    session.outbox = outbox;
    if (session.adopted) {
      session.adopted = false;
      this.sessions.records?.watch(session);
      void this.handoff.announce('SESSION_CLAIMED', { session_id: session.id }).catch(() => {});
    }
    session.replay(seq);
    session.dispatch('RESUMED', {});
    return session;
  }

  /**
   * A session of a process that died (ADR 0020), rebuilt here from its record: its identity and sequence at a
   * checkpoint, its caches loaded afresh, and every bus event since the checkpoint routed to it again, which numbers
   * its dispatches as the dead process did. Undefined when it cannot be resumed without loss.
   */
  private async rebuild(id: string, userId: string, clientSeq: number): Promise<Session | undefined> {
    const taken = await this.sessions.records!.take(id, userId, clientSeq, () => {
      this.handoff.announce('SESSION_WANTED', { session_id: id }).catch(() => {});
    });
    if (!taken || this.sessions.has(id)) return this.sessions.get(id);
    const session = Session.restore({ ...taken.snapshot, seq: taken.checkpoint.seq, buffer: [] });
    session.adopted = false;
    this.sessions.track(session);
    this.sessions.detach(session);
    try {
      await this.router.held(session, async () => {
        const [events, caches] = await Promise.all([
          this.opts.bus.range(taken.checkpoint.at, session.heldAt),
          this.opts.services.sessionData.caches(userId),
        ]);
        if (!events) throw new Error('the stream no longer holds every event since the checkpoint');
        for (const g of caches.guilds) session.state.guilds.set(g.id, g);
        for (const dm of caches.dmChannelIds) session.state.dms.add(dm);
        // This process may not have read as far as the checkpoint yet: what it holds up to there was delivered.
        const backlog = session.backlog!;
        const fresh = backlog.filter((e) => !e.id || comparePositions(e.id, taken.checkpoint.at) > 0);
        backlog.splice(0, backlog.length, ...events, ...fresh);
      });
    } catch (err) {
      this.opts.log.warn({ err }, 'could not rebuild a session');
      if (session.expiry) clearTimeout(session.expiry);
      this.sessions.forget(session);
      return undefined;
    }
    return session;
  }

  private async authenticate(token: string): Promise<Principal | null> {
    const auth = this.opts.services.auth;
    if (/^(bot|bearer) /i.test(token)) return auth.authenticate(token);
    return (await auth.authenticate(token)) ?? (tokenOwner(token) ? auth.authenticate(`Bot ${token}`) : null);
  }
}
