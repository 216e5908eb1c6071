import { Limits } from '@hearth/protocol';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { followedTags, follows, lists, posts, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { inExclusiveList, inListFeed } from './list-feeds';
import type { NotificationsService } from './notifications.service';
import { followedTagPost } from './timelines.service';
import { fromSilencedDomain, mutedBy, silencedFor, visibleTo } from './visibility';

/** Which timeline a streamed status is checked against: home (the author is the reader or one they follow) or public. */
export type StreamTimeline = 'home' | 'public';

/**
 * What the Mastodon streaming API (gateway/mastodon) asks of the domain: who follows whom, to index its
 * connections, and the final word on who may get a status or a notification. The stream decides nothing itself:
 * every delivery is checked here with the rule every REST read uses (visibility.ts), in one query per event and
 * process, whatever the number of readers.
 */
export class StreamsService {
  constructor(
    private readonly deps: Deps,
    private readonly notifications: NotificationsService,
  ) {}

  /** The accounts `userId` follows (accepted follows): whose statuses their `user` stream waits for. */
  async followed(userId: string): Promise<string[]> {
    const rows = await this.deps.db
      .select({ id: follows.targetId })
      .from(follows)
      .where(and(eq(follows.userId, userId), eq(follows.accepted, true)));
    return rows.map((r) => r.id);
  }

  /** The hashtags `userId` follows: public statuses carrying one also reach their `user` stream. */
  async followedTags(userId: string): Promise<string[]> {
    const rows = await this.deps.db
      .select({ tag: followedTags.tag })
      .from(followedTags)
      .where(eq(followedTags.userId, userId))
      .limit(Limits.followedTagsMax);
    return rows.map((r) => r.tag);
  }

  /** Whether an account is of a domain the admins silenced: its statuses reach no signed-out public stream. */
  silencedAuthor(accountId: string): Promise<boolean> {
    return fromSilencedDomain(this.deps.db, accountId);
  }

  /**
   * Of `readers`, those who may get status `statusId` on `timeline` now: active accounts who may see it (and, for a
   * boost, the status it boosts), who did not mute its author (or the boosted author), and for `home` who wrote it,
   * follow its author or follow one of its hashtags (a public status), as GET /timelines/home has it; for `public`
   * not a silenced domain's status unless they follow its author.
   */
  async readersOf(statusId: string, readers: string[], timeline: StreamTimeline): Promise<Set<string>> {
    if (readers.length === 0) return new Set();
    const reader: SQL = sql`${users.id}`;
    const home =
      timeline === 'home'
        ? sql`and (${posts.userId} = ${reader} or exists (select 1 from ${follows} where ${follows.userId} = ${reader} and ${follows.targetId} = ${posts.userId} and ${follows.accepted}) or ${followedTagPost(reader)}) and not ${inExclusiveList(reader)}`
        : // A silenced domain's statuses reach the public streams of its accounts' followers only (ADR 0040).
          sql`and not ${silencedFor(reader)}`;
    const rows = await this.deps.db
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          inArray(users.id, readers),
          eq(users.disabled, false),
          sql`exists (select 1 from ${posts} where ${posts.id} = ${statusId} and ${visibleTo(reader)} and not ${mutedBy(reader)} ${home})`,
        ),
      );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Of lists `listIds` (of any owners), those whose timeline has status `statusId` now, as GET /timelines/list/:id
   * has it: its author a member, the replies policy, the owner may see it and did not mute its author.
   */
  async listsOf(statusId: string, listIds: string[]): Promise<Set<string>> {
    if (listIds.length === 0) return new Set();
    const owner: SQL = sql`${lists.userId}`;
    const rows = await this.deps.db
      .select({ id: lists.id })
      .from(lists)
      .innerJoin(users, eq(users.id, lists.userId))
      .where(
        and(
          inArray(lists.id, listIds),
          eq(users.disabled, false),
          sql`exists (select 1 from ${posts} where ${posts.id} = ${statusId} and ${inListFeed(owner, sql`${lists.id}`, sql`${lists.repliesPolicy}`)} and ${visibleTo(owner)} and not ${mutedBy(owner)})`,
        ),
      );
    return new Set(rows.map((r) => r.id));
  }

  /** Notification `id` as its recipient reads it, or null when they may not (now): the REST rule, mutes included. */
  async notification(userId: string, id: string): Promise<unknown | null> {
    const principal: Principal = {
      userId,
      sessionId: null,
      bot: false,
      applicationId: null,
      applicationFlags: 0,
    };
    return this.notifications.get(principal, id).catch(() => null);
  }
}
