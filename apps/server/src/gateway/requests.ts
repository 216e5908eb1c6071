import { GatewayClose, Intent, type Member } from '@hearth/protocol';
import { LAZY_LIMITS, type MemberLists, parseChannels } from './member-lists';
import type { GatewayOptions } from './options';
import { asFields } from './routing';
import type { Session } from './session';
import type { Sessions } from './sessions';

const CHUNK = 1000;

/**
 * What an identified session asks for beside its events: op 3 (its presence), op 8 (member lists, answered with
 * GUILD_MEMBERS_CHUNK) and op 14 (the presences of a large guild).
 */
export class Requests {
  constructor(
    private readonly opts: Pick<GatewayOptions, 'services' | 'log'>,
    private readonly sessions: Sessions,
    private readonly lists: MemberLists,
  ) {}

  /** op 3: a new presence for this session, at most 5 per 20 seconds (extra updates are dropped). */
  async presence(session: Session, d: unknown): Promise<void> {
    const now = Date.now();
    if (now - session.presenceUpdates.since > 20_000) session.presenceUpdates = { count: 0, since: now };
    if (++session.presenceUpdates.count > 5) return;
    const parsed = this.opts.services.presence.parse(d);
    if (!parsed) return;
    session.presence = parsed;
    await this.opts.services.presence.set(session.principal.userId, session.id, parsed, [
      ...session.state.guilds.keys(),
    ]);
  }

  /**
   * op 8: GUILD_MEMBERS_CHUNK pages of at most 1000, echoing the nonce; `limit` 0 with no query means everyone.
   * The caller holds the session's events meanwhile (Router.held).
   */
  async requestMembers(session: Session, payload: unknown): Promise<void> {
    const d = asFields(payload);
    const guildId = d.guild_id;
    if (typeof guildId !== 'string' || !session.state.guilds.has(guildId)) return;
    if (session.principal.bot && !(session.intents & Intent.GuildMembers)) {
      session.outbox?.close(
        GatewayClose.DisallowedIntents,
        'Requesting members needs the GUILD_MEMBERS intent',
      );
      return;
    }
    const members = this.opts.services.members;
    const query = typeof d.query === 'string' ? d.query : '';
    const userIds = Array.isArray(d.user_ids)
      ? new Set(d.user_ids.filter((id): id is string => typeof id === 'string'))
      : typeof d.user_ids === 'string'
        ? new Set([d.user_ids])
        : null;
    const asked = Number(d.limit);
    const limit = Number.isInteger(asked) && asked > 0 ? asked : query || userIds ? 100 : Infinity;
    let found: Member[] = [];
    if (query) {
      found = await members.search(session.principal, guildId, query, Math.min(limit, CHUNK));
    } else {
      // Everyone (or everyone among user_ids), read in keyset pages.
      for (let after: string | undefined; found.length < limit; ) {
        const page = await members.list(session.principal, guildId, { limit: CHUNK, after });
        found.push(...(userIds ? page.filter((m) => userIds.has(m.user?.id ?? '')) : page));
        if (page.length < CHUNK) break;
        after = page[page.length - 1].user?.id;
      }
      found = found.slice(0, limit);
    }
    const presences =
      d.presences === true ? await this.opts.services.presence.many(found.map((m) => m.user!.id)) : null;
    // Asking for named members' presences also follows them from then on (as on Discord, ADR 0041).
    if (presences && userIds && !session.principal.bot) {
      session.watch(
        guildId,
        [...userIds].filter((id) => /^\d{1,20}$/.test(id)),
        { add: true, max: LAZY_LIMITS.members },
      );
      if (!session.backlog) this.sessions.reindex(session);
    }
    const chunks = Math.max(1, Math.ceil(found.length / CHUNK));
    for (let i = 0; i < chunks; i++) {
      const part = found.slice(i * CHUNK, (i + 1) * CHUNK);
      const ids = new Set(part.map((m) => m.user?.id));
      session.dispatch('GUILD_MEMBERS_CHUNK', {
        guild_id: guildId,
        members: part,
        chunk_index: i,
        chunk_count: chunks,
        ...(i === chunks - 1 && userIds
          ? { not_found: [...userIds].filter((id) => !found.some((m) => m.user?.id === id)) }
          : {}),
        ...(presences
          ? { presences: presences.filter((p) => ids.has(p.user.id) && p.status !== 'offline') }
          : {}),
        ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
      });
    }
  }

  /**
   * op 14 (guild subscriptions, ADR 0041). With `channels` (`{[channel_id]: [[0, 99], …]}`): those channels' member
   * lists in those ranges, as GUILD_MEMBER_LIST_UPDATE, with the presences of the members in them. With `members`
   * (user ids): those members' presences. With neither: every presence of the large guild (ADR 0011). Bounds are in
   * LAZY_LIMITS; a request past them, or malformed, is ignored as a whole. Bots do not use it (as on Discord).
   */
  subscribe(session: Session, payload: unknown): void {
    const d = asFields(payload);
    const guildId = d.guild_id;
    if (typeof guildId !== 'string' || !session.state.guilds.has(guildId) || session.principal.bot) return;
    const channels = d.channels === undefined ? undefined : parseChannels(d.channels);
    const members = d.members === undefined ? undefined : parseMembers(d.members);
    if (channels === null || members === null) return;
    if (!channels && !members) {
      session.subscribe(guildId);
      if (!session.backlog) this.sessions.reindex(session);
      return;
    }
    if (members) {
      session.watch(guildId, members);
      if (!session.backlog) this.sessions.reindex(session);
    }
    if (!channels) return;
    if (!channels.size) {
      this.lists.unfollow(session, guildId);
      return;
    }
    this.lists
      .follow(session, guildId, channels)
      .catch((err) => this.opts.log.warn({ err }, 'could not load a member list'));
  }
}

/** op 14 `members`: at most LAZY_LIMITS.members snowflakes; null when anything is off. */
function parseMembers(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length > LAZY_LIMITS.members) return null;
  if (!value.every((id) => typeof id === 'string' && /^\d{1,20}$/.test(id))) return null;
  return [...new Set(value as string[])];
}
