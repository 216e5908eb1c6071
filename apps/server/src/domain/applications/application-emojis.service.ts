import { type Emoji, ErrorCode, Limits } from '@hearth/protocol';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { applicationEmojis, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../errors';
import { emojiImage } from '../guilds/emojis.service';
import { toEmojiWire } from '../guilds/guilds.wire';
import { storeImage } from '../images';
import { loadOwnedApplication } from './applications.service';

type Row = typeof applicationEmojis.$inferSelect;

const unknownEmoji = () => notFound(ErrorCode.UnknownEmoji, 'Emoji');

/**
 * Emojis an application owns (Discord's application emojis): managed by the application's owner or its bot, at most
 * 2000 with unique names, usable by its bot in reactions anywhere. Images are stored and served as guild emojis' are.
 */
export class ApplicationEmojisService {
  constructor(private readonly deps: Deps) {}

  async list(principal: Principal, appId: string): Promise<{ items: Emoji[] }> {
    await loadOwnedApplication(this.deps.db, principal, appId);
    const rows = await this.deps.db
      .select()
      .from(applicationEmojis)
      .where(eq(applicationEmojis.applicationId, appId))
      .orderBy(asc(applicationEmojis.id));
    return { items: await this.toWire(rows) };
  }

  async get(principal: Principal, appId: string, emojiId: string): Promise<Emoji> {
    await loadOwnedApplication(this.deps.db, principal, appId);
    return (await this.toWire([await this.find(appId, emojiId)]))[0];
  }

  async create(principal: Principal, appId: string, input: { name: string; image: string }): Promise<Emoji> {
    const { db, ids } = this.deps;
    await loadOwnedApplication(db, principal, appId);
    await this.requireFreeName(appId, input.name, null);
    const id = ids.next();
    const hash = await storeImage(this.deps, emojiImage(id, appId), input.image);
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`application-emojis:${appId}`}))`);
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(applicationEmojis)
        .where(eq(applicationEmojis.applicationId, appId));
      if (n >= Limits.applicationEmojis)
        throw new ApiError(
          400,
          ErrorCode.MaximumEmojis,
          `Maximum number of emojis reached (${Limits.applicationEmojis})`,
        );
      await tx.insert(applicationEmojis).values({
        applicationId: appId,
        id,
        name: input.name,
        animated: !!hash?.startsWith('a_'),
        userId: principal.userId,
      });
    });
    return this.get(principal, appId, id);
  }

  async modify(
    principal: Principal,
    appId: string,
    emojiId: string,
    input: { name?: string },
  ): Promise<Emoji> {
    await loadOwnedApplication(this.deps.db, principal, appId);
    const current = await this.find(appId, emojiId);
    if (input.name !== undefined && input.name !== current.name) {
      await this.requireFreeName(appId, input.name, emojiId);
      await this.deps.db
        .update(applicationEmojis)
        .set({ name: input.name })
        .where(and(eq(applicationEmojis.applicationId, appId), eq(applicationEmojis.id, emojiId)));
    }
    return this.get(principal, appId, emojiId);
  }

  async delete(principal: Principal, appId: string, emojiId: string): Promise<void> {
    await loadOwnedApplication(this.deps.db, principal, appId);
    await this.find(appId, emojiId);
    await this.deps.db
      .delete(applicationEmojis)
      .where(and(eq(applicationEmojis.applicationId, appId), eq(applicationEmojis.id, emojiId)));
  }

  private async find(appId: string, emojiId: string): Promise<Row> {
    const [row] = await this.deps.db
      .select()
      .from(applicationEmojis)
      .where(and(eq(applicationEmojis.applicationId, appId), eq(applicationEmojis.id, emojiId)));
    if (!row) throw unknownEmoji();
    return row;
  }

  private async requireFreeName(appId: string, name: string, except: string | null): Promise<void> {
    const same = await this.deps.db
      .select({ id: applicationEmojis.id })
      .from(applicationEmojis)
      .where(
        and(
          eq(applicationEmojis.applicationId, appId),
          sql`lower(${applicationEmojis.name}) = lower(${name})`,
        ),
      );
    if (same.some((e) => e.id !== except))
      throw invalidField(
        ['name'],
        'APPLICATION_EMOJI_NAME_ALREADY_TAKEN',
        'An emoji of this application already has this name.',
      );
  }

  private async toWire(rows: Row[]): Promise<Emoji[]> {
    const userIds = [...new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])))];
    const people = userIds.length
      ? await this.deps.db.select().from(users).where(inArray(users.id, userIds))
      : [];
    const byId = new Map(people.map((u) => [u.id, u]));
    return rows.map((r) => toEmojiWire(r, [], r.userId ? byId.get(r.userId) : undefined));
  }
}
