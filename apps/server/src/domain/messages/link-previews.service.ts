import { MessageFlags } from '@hearth/protocol';
import { and, eq, lt, sql } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { sniffContentType } from '../../media/sniff';
import { OutboundError, type OutboundOptions, outboundRequest } from '../../net/outbound';
import { linkPreviews, messages } from '../../store/schema';
import type { Deps } from '../deps';
import { imagePreview, type LinkEmbed, previewedLinks, previewFromHtml } from './link-preview';
import { hydrateMessages, messageColumns } from './messages.wire';

/** A page is read up to this much: the head, where the tags are, comes first. */
const PAGE_BYTES = 512 * 1024;
/** A proxied embed image may be at most this large. */
const IMAGE_BYTES = 8 * 1024 * 1024;
/** Each request (one hop of a redirect chain) must finish within this. */
const FETCH_TIMEOUT_MS = 5000;
/** Redirects followed per link (each hop goes through the guard again). */
const MAX_REDIRECTS = 3;
/** A preview (or a page's lack of one) is kept this long before its link is fetched again. */
const CACHE_MS = 24 * 60 * 60_000;
/** A message shows at most this many embeds, its own (a bot's rich embeds) and its links' together. */
const MAX_EMBEDS = 10;
/** The image types a proxied image may be (never SVG, which can carry scripts). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

/**
 * Link previews (ADR 0044): after a message is saved, a job reads the pages its links name (through the outbound
 * SSRF guard, bounded in size, time and redirects, cached by URL) and adds their cards to the message's embeds,
 * announced with MESSAGE_UPDATE as Discord does. Also serves embeds' images through this server.
 */
export class LinkPreviewsService {
  constructor(private readonly deps: Deps) {}

  /** Whether a message with this content and flags is worth an unfurl job. */
  static wanted(content: string, flags: number): boolean {
    return !(flags & MessageFlags.SuppressEmbeds) && /https?:\/\//i.test(content);
  }

  /** Queues the unfurl of a message just written or edited (one waiting job per message). */
  async schedule(channelId: string, messageId: string): Promise<void> {
    await this.deps.jobs.enqueue('messages.unfurl', { channelId, messageId }, { key: messageId });
  }

  /**
   * The job: the message's link embeds made to match its links as they are now. Its own rich embeds stay first;
   * nothing happens if it is gone, suppressed, or its content changed while the pages were read (that edit queued
   * its own run).
   */
  async unfurl(channelId: string, messageId: string): Promise<void> {
    const { db } = this.deps;
    const [row] = await db
      .select({ content: messages.content, flags: messages.flags, embeds: messages.embeds })
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.id, messageId)));
    if (!row || row.flags & MessageFlags.SuppressEmbeds) return;
    const own = row.embeds.filter((e) => !isLinkEmbed(e));
    const previews = await Promise.all(previewedLinks(row.content).map((url) => this.preview(url)));
    const next = [...own, ...previews.filter((p) => p !== null)].slice(0, MAX_EMBEDS);
    if (JSON.stringify(next) === JSON.stringify(row.embeds)) return;
    const [updated] = await db
      .update(messages)
      .set({ embeds: next })
      .where(
        and(
          eq(messages.channelId, channelId),
          eq(messages.id, messageId),
          eq(messages.content, row.content),
          sql`${messages.flags} & ${MessageFlags.SuppressEmbeds} = 0`,
        ),
      )
      .returning(messageColumns);
    if (!updated) return;
    const [message] = await hydrateMessages(db, this.deps.attachmentUrls, [updated]);
    this.deps.events.publish('MESSAGE_UPDATE', Topic.channel(channelId), {
      ...message,
      ...(updated.guildId ? { guild_id: updated.guildId } : {}),
    });
  }

  /** The preview of one link: from the cache while fresh, else fetched and cached (null: nothing to show). */
  async preview(url: string): Promise<LinkEmbed | null> {
    const { db } = this.deps;
    const [cached] = await db
      .select({ embed: linkPreviews.embed })
      .from(linkPreviews)
      .where(
        and(
          eq(linkPreviews.url, url),
          sql`${linkPreviews.fetchedAt} > now() - ${CACHE_MS} * interval '1 ms'`,
        ),
      );
    if (cached) return cached.embed as LinkEmbed | null;
    const embed = await this.fetchPreview(url);
    await db
      .insert(linkPreviews)
      .values({ url, embed })
      .onConflictDoUpdate({ target: linkPreviews.url, set: { embed, fetchedAt: sql`now()` } });
    return embed;
  }

  private async fetchPreview(url: string): Promise<LinkEmbed | null> {
    try {
      const answer = await this.get(url, {
        accept: 'text/html,application/xhtml+xml;q=0.9,image/*;q=0.8',
        maxBytes: PAGE_BYTES,
        truncate: true,
      });
      if (answer.status !== 200) return null;
      const type = String(answer.headers['content-type'] ?? '')
        .split(';')[0]
        .trim()
        .toLowerCase();
      if (IMAGE_TYPES.has(type)) return imagePreview(url);
      if (type !== 'text/html' && type !== 'application/xhtml+xml') return null;
      return previewFromHtml(answer.body.toString('utf8'), url);
    } catch (err) {
      if (err instanceof OutboundError) {
        this.deps.log.debug({ url, reason: err.reason }, 'link preview not fetched');
        return null;
      }
      throw err;
    }
  }

  /** GET through the guard, following at most MAX_REDIRECTS redirects, each hop checked again. */
  private async get(
    url: string,
    opts: { accept: string } & Pick<OutboundOptions, 'maxBytes' | 'truncate'>,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
    let current = url;
    for (let hop = 0; ; hop++) {
      try {
        return await outboundRequest(
          current,
          {
            method: 'GET',
            headers: { accept: opts.accept, 'user-agent': 'Mozilla/5.0 (compatible; Hearth link preview)' },
          },
          {
            timeoutMs: FETCH_TIMEOUT_MS,
            maxBytes: opts.maxBytes,
            truncate: opts.truncate,
            allowHosts: this.deps.config.outboundAllowHosts,
          },
        );
      } catch (err) {
        if (!(err instanceof OutboundError) || err.reason !== 'redirect' || hop >= MAX_REDIRECTS) throw err;
        const location = err.location;
        if (!location) throw err;
        current = new URL(location, current).href;
      }
    }
  }

  /**
   * GET /embed-images: an embed's image, fetched through the guard for the client, when `hm` is the signature the
   * message's wire form gave it. Null (a 404) for a bad signature or anything that is not a safe image.
   */
  async image(url: string, hm: string | undefined): Promise<{ body: Buffer; contentType: string } | null> {
    if (!this.deps.attachmentUrls.verifyEmbedImage(url, hm)) return null;
    try {
      const answer = await this.get(url, { accept: 'image/*', maxBytes: IMAGE_BYTES });
      if (answer.status !== 200) return null;
      const contentType = sniffContentType(answer.body);
      return IMAGE_TYPES.has(contentType) ? { body: answer.body, contentType } : null;
    } catch (err) {
      if (err instanceof OutboundError) return null;
      throw err;
    }
  }

  /** Forgets previews older than the cache's life (the hourly sweep). */
  async sweepCache(): Promise<void> {
    await this.deps.db
      .delete(linkPreviews)
      .where(lt(linkPreviews.fetchedAt, sql`now() - ${CACHE_MS} * interval '1 ms'`));
  }
}

/** Whether an embed is a link preview (the unfurl's to replace) rather than one its sender wrote. */
export function isLinkEmbed(embed: unknown): boolean {
  const type = (embed as { type?: unknown } | null)?.type;
  return type === 'link' || type === 'article' || type === 'image';
}
