import { Create, Document, Link, Mention, Note, Page, PUBLIC_COLLECTION } from '@fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import sanitizeHtml from 'sanitize-html';
import type { RemoteMediaInput } from '../domain/social/media.service';
import type { FederatedMedia } from '../domain/social/posts.service';
import { escapeHtml } from '../domain/social/text';

// Statuses ↔ ActivityStreams Notes (ADR 0040): pure functions, no I/O, so they are tested on real payloads.

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

/** What a local status's Note is built from. */
export interface LocalStatus {
  /** The Note's IRI, its author's actor IRI and followers collection. */
  uri: string;
  url: string;
  actor: string;
  followers: string;
  content: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: Visibility;
  language: string | null;
  createdAt: Date;
  /** The IRI of the status it answers, if any, and its author's actor IRI. */
  inReplyTo: string | null;
  inReplyToAuthor: string | null;
  /** The accounts it mentions: actor IRI and `@name@host`. */
  mentions: Array<{ href: string; name: string }>;
  /** Its media, in order (Mastodon sends each as a Document). */
  attachments: FederatedMedia[];
}

/** Fedify's types name the native Temporal (lib esnext.temporal); at run time it takes the polyfill's instants. */
type Instant = NonNullable<ConstructorParameters<typeof Note>[0]['published']>;
export const instant = (d: Date): Instant =>
  Temporal.Instant.fromEpochMilliseconds(d.getTime()) as unknown as Instant;

/**
 * Audience of a status (Mastodon's mapping): public to all, unlisted quietly, private to followers, each with the
 * accounts it mentions and the author it answers in `cc`; direct to the accounts it mentions, and no one else.
 */
function audience(s: LocalStatus): { to: URL[]; cc: URL[] } {
  const f = new URL(s.followers);
  const named = [
    ...new Set([...s.mentions.map((m) => m.href), ...(s.inReplyToAuthor ? [s.inReplyToAuthor] : [])]),
  ]
    .filter((href) => href !== s.actor)
    .map((href) => new URL(href));
  switch (s.visibility) {
    case 'public':
      return { to: [PUBLIC_COLLECTION], cc: [f, ...named] };
    case 'unlisted':
      return { to: [f], cc: [PUBLIC_COLLECTION, ...named] };
    case 'private':
      return { to: [f], cc: named };
    default:
      return { to: s.mentions.filter((m) => m.href !== s.actor).map((m) => new URL(m.href)), cc: [] };
  }
}

/** A local status as a Note. */
export function statusToNote(s: LocalStatus): Note {
  const { to, cc } = audience(s);
  return new Note({
    id: new URL(s.uri),
    attribution: new URL(s.actor),
    to: to.length === 1 ? to[0] : null,
    tos: to.length === 1 ? undefined : to,
    ccs: cc,
    content: s.content,
    summary: s.spoilerText || null,
    sensitive: s.sensitive,
    published: instant(s.createdAt),
    url: new URL(s.url),
    replyTarget: s.inReplyTo ? new URL(s.inReplyTo) : null,
    tags: s.mentions.map((m) => new Mention({ href: new URL(m.href), name: m.name })),
    attachments: s.attachments.map(
      (a) =>
        new Document({
          url: new URL(a.url),
          mediaType: a.mediaType,
          name: a.description,
          width: a.width,
          height: a.height,
        }),
    ),
  });
}

/** The Create that delivers a new local status. */
export function createOf(s: LocalStatus): Create {
  const note = statusToNote(s);
  const { to, cc } = audience(s);
  return new Create({
    id: new URL(`${s.uri}/activity`),
    actor: new URL(s.actor),
    object: note,
    tos: to,
    ccs: cc,
    published: note.published,
  });
}

/** The tags and attributes a remote status's HTML may keep (Mastodon's own sanitiser keeps about these). */
const allowed: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'span',
    'a',
    'del',
    'pre',
    'code',
    'em',
    'strong',
    'b',
    'i',
    'u',
    'ul',
    'ol',
    'li',
    'blockquote',
  ],
  allowedAttributes: {
    a: ['href', 'rel', 'class', 'translate'],
    span: ['class', 'translate'],
    ol: ['start', 'reversed'],
    li: ['value'],
  },
  allowedClasses: {
    a: ['mention', 'hashtag', 'u-url', 'h-card', 'status-link', 'unhandled-link'],
    span: ['h-card', 'invisible', 'ellipsis', 'mention', 'hashtag'],
  },
  allowedSchemes: [
    'http',
    'https',
    'dat',
    'dweb',
    'ipfs',
    'ipns',
    'ssb',
    'gopher',
    'xmpp',
    'magnet',
    'gemini',
  ],
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...attribs, rel: 'nofollow noopener noreferrer', target: '_blank' },
    }),
  },
  allowedSchemesAppliedToAttributes: ['href'],
};
(allowed.allowedAttributes as Record<string, string[]>).a.push('target');

/** A remote status's HTML with only what is safe to show. */
export function sanitizeContent(html: string): string {
  return sanitizeHtml(html, allowed);
}

/** The HTML as plain text (paragraphs and breaks as new lines). */
export function plainText(html: string): string {
  const text = sanitizeHtml(html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>\s*<p[^>]*>/gi, '\n\n'), {
    allowedTags: [],
    allowedAttributes: {},
  });
  return text
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

/** A remote Note as a status to store; null when it is no status Hearth can show. */
export interface RemoteNote {
  uri: string;
  url: string | null;
  attributedTo: string | null;
  content: string;
  text: string;
  spoilerText: string;
  sensitive: boolean;
  visibility: Visibility;
  language: string | null;
  published: Date | null;
  inReplyTo: string | null;
}

/** A remote note's attachment as its instance describes it (ADR 0052): fetched and stored later by a job. */
export type RemoteAttachment = RemoteMediaInput;

/** Most attachments read of a remote note (Mastodon's own limit); the rest are left out. */
const REMOTE_ATTACHMENTS_MAX = 4;
const AS_NS = 'https://www.w3.org/ns/activitystreams#';
const TOOT_NS = 'http://joinmastodon.org/ns#';

/** Mastodon's `blurhash` and `focalPoint` (Fedify's vocabulary has neither), read from the note's JSON as received. */
function mastodonExtras(
  note: Note | Page,
  activity: unknown,
): Array<{ blurhash: string | null; focus: { x: number; y: number } | null }> {
  // Fedify keeps the JSON a top-level object was parsed from (not an embedded one's): the note's own when it was
  // fetched, else the activity's that embeds it.
  const cached = (o: unknown) => (o as { _cachedJsonLd?: unknown } | null)?._cachedJsonLd;
  const first = (j: unknown) => (Array.isArray(j) ? j[0] : j) as Record<string, unknown> | undefined;
  let doc = first(cached(note));
  if (!doc || typeof doc !== 'object') {
    const outer = first(cached(activity));
    const inner = outer && typeof outer === 'object' ? first(outer.object) : undefined;
    doc = inner && typeof inner === 'object' && inner.id === note.id?.href ? inner : undefined;
  }
  if (!doc || typeof doc !== 'object') return [];
  const raw = doc.attachment ?? doc[`${AS_NS}attachment`];
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Array<Record<string, unknown>>;
  const value = (v: unknown): unknown => {
    const first = Array.isArray(v) ? v[0] : v;
    return first && typeof first === 'object' && '@value' in first
      ? (first as { '@value': unknown })['@value']
      : first;
  };
  return list.slice(0, REMOTE_ATTACHMENTS_MAX * 4).map((a) => {
    if (!a || typeof a !== 'object') return { blurhash: null, focus: null };
    const hash = value(a.blurhash ?? a[`${TOOT_NS}blurhash`]);
    let point = a.focalPoint ?? a[`${TOOT_NS}focalPoint`];
    if (Array.isArray(point) && point.length === 1) point = point[0];
    if (point && typeof point === 'object' && '@list' in point)
      point = (point as { '@list': unknown })['@list'];
    const xy = Array.isArray(point) ? point.map(value) : [];
    const ok = xy.length === 2 && xy.every((n) => typeof n === 'number' && Math.abs(n) <= 1);
    return {
      blurhash:
        typeof hash === 'string' && /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{6,100}$/.test(hash) ? hash : null,
      focus: ok ? { x: xy[0] as number, y: xy[1] as number } : null,
    };
  });
}

/**
 * A remote note's media attachments (Document, Image, Video, Audio with an http(s) `url`), at most
 * REMOTE_ATTACHMENTS_MAX, in order; `activity` is the one that carried it, for Mastodon's extras. Embedded ones only: an attachment given by IRI is not fetched.
 */
export async function remoteAttachments(
  note: Note | Page,
  activity: unknown = null,
): Promise<RemoteAttachment[]> {
  const extras = mastodonExtras(note, activity);
  const out: RemoteAttachment[] = [];
  let index = -1;
  const noFetch = async (): Promise<never> => {
    throw new Error('attachments given by IRI are not fetched');
  };
  for await (const a of note.getAttachments({ suppressError: true, documentLoader: noFetch })) {
    index++;
    if (out.length >= REMOTE_ATTACHMENTS_MAX || index >= REMOTE_ATTACHMENTS_MAX * 4) break;
    if (!(a instanceof Document)) continue;
    const u = a.url;
    const href = u instanceof URL ? u.href : u instanceof Link ? (u.href?.href ?? null) : null;
    if (!href || href.length > 2048 || !/^https?:\/\//i.test(href)) continue;
    const dim = (n: number | null) => (n && Number.isInteger(n) && n > 0 && n <= 100_000 ? n : null);
    const mediaType = a.mediaType ?? (u instanceof Link ? u.mediaType : null);
    out.push({
      url: href,
      mediaType: mediaType && mediaType.length <= 100 ? mediaType : null,
      description: a.name ? plainText(a.name.toString()).trim() || null : null,
      blurhash: extras[index]?.blurhash ?? null,
      width: dim(a.width),
      height: dim(a.height),
      focus: extras[index]?.focus ?? null,
    });
  }
  return out;
}

/** The http(s) URL of an actor's `icon` or `image` (embedded only: an image given by IRI is not fetched), or null. */
export async function actorImageUrl(
  get: (opts: { suppressError: boolean; documentLoader: () => Promise<never> }) => Promise<unknown>,
): Promise<string | null> {
  const noFetch = async (): Promise<never> => {
    throw new Error('images given by IRI are not fetched');
  };
  const image = await get({ suppressError: true, documentLoader: noFetch }).catch(() => null);
  if (!(image instanceof Document)) return null;
  const u = image.url;
  const href = u instanceof URL ? u.href : u instanceof Link ? (u.href?.href ?? null) : null;
  return href && href.length <= 2048 && /^https?:\/\//i.test(href) ? href : null;
}

/** Longest title of a remote Page (a Lemmy post, a group's post) kept, Lemmy's own limit. */
const PAGE_TITLE_CHARS = 200;

/**
 * The link a remote Page is about (a Lemmy link post): its `url` when that is not the Page itself, else its first
 * embedded `Link` attachment's `href` (Lemmy's way since 0.18); http(s) only, or null. Nothing is fetched.
 */
export async function pageLink(page: Page): Promise<string | null> {
  const ok = (href: string | null | undefined) =>
    href && href.length <= 2048 && /^https?:\/\//i.test(href) && href !== page.id?.href ? href : null;
  const u = page.url;
  const direct = ok(u instanceof URL ? u.href : u instanceof Link ? u.href?.href : null);
  if (direct) return direct;
  const noFetch = async (): Promise<never> => {
    throw new Error('attachments given by IRI are not fetched');
  };
  let seen = 0;
  for await (const a of page.getAttachments({ suppressError: true, documentLoader: noFetch })) {
    if (++seen > REMOTE_ATTACHMENTS_MAX * 4) break;
    if (a instanceof Link && ok(a.href?.href)) return a.href?.href ?? null;
  }
  return null;
}

/**
 * Reads a Note or a Page: visibility from its audience (`followers` is its author's followers collection, when
 * known). A Page (ADR 0031 addendum) is shown as its title in bold, its content, then the link it is about (`link`,
 * from pageLink); its status's `url` is the Page itself (a Lemmy Page's `url` is the link, not the post).
 */
export function noteToStatus(
  note: Note | Page,
  followers: string | null,
  link: string | null = null,
): RemoteNote | null {
  if (!note.id) return null;
  const first = note.contents[0] ?? '';
  const html = typeof first === 'string' ? first : first.toString();
  // `und` (Pleroma's default `@language`) is no language.
  // Mastodon sends both `content` and `contentMap`: the language is the tagged one's.
  const withLocale = note.contents.find((c) => typeof c !== 'string');
  const tagged = withLocale && typeof withLocale !== 'string' ? withLocale.locale.baseName : null;
  const language = tagged && tagged !== 'und' ? tagged : null;
  const summary = note.summary;
  const to = note.toIds.map((u) => u.href);
  const cc = note.ccIds.map((u) => u.href);
  const pub = PUBLIC_COLLECTION.href;
  const isPublic = (list: string[]) => list.some((u) => u === pub || u === 'as:Public' || u === 'Public');
  const visibility: Visibility = isPublic(to)
    ? 'public'
    : isPublic(cc)
      ? 'unlisted'
      : followers && [...to, ...cc].includes(followers)
        ? 'private'
        : 'direct';
  const url = note.url;
  let content = sanitizeContent(html);
  if (note instanceof Page) {
    // `name` is plain text (ActivityStreams): shown as written, escaped, on one line.
    const title = note.name
      ? note.name.toString().replace(/\s+/g, ' ').trim().slice(0, PAGE_TITLE_CHARS)
      : '';
    const parts = [
      title ? `<p><strong>${escapeHtml(title)}</strong></p>` : '',
      content,
      link ? `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>` : '',
    ];
    content = sanitizeContent(parts.join(''));
  }
  return {
    uri: note.id.href,
    url:
      note instanceof Page
        ? note.id.href
        : url instanceof URL
          ? url.href
          : url instanceof Link
            ? (url.href?.href ?? null)
            : null,
    attributedTo: note.attributionId?.href ?? null,
    content,
    text: plainText(content),
    spoilerText: summary ? plainText(summary.toString()) : '',
    sensitive: note.sensitive ?? false,
    visibility,
    language,
    published: note.published ? new Date(note.published.epochMilliseconds) : null,
    inReplyTo: note.replyTargetId?.href ?? null,
  };
}

/** Most Mention tags and addressees of a remote note read (a note naming thousands is read as naming these). */
const NAMED_MAX = 100;

/**
 * The actor IRIs a remote note names: its Mention tags' `href`s and its `to`/`cc` (Mastodon addresses a direct
 * status to the accounts it mentions, and names them in tags too). Embedded tags only: nothing is fetched.
 */
export async function namedActors(note: Note): Promise<string[]> {
  const named = new Set<string>();
  const noFetch = async (): Promise<never> => {
    throw new Error('tags given by IRI are not fetched');
  };
  for await (const tag of note.getTags({ suppressError: true, documentLoader: noFetch })) {
    if (named.size >= NAMED_MAX) break;
    if (tag instanceof Mention && tag.href) named.add(tag.href.href);
  }
  for (const u of [...note.toIds, ...note.ccIds].slice(0, NAMED_MAX)) named.add(u.href);
  named.delete(PUBLIC_COLLECTION.href);
  return [...named].slice(0, NAMED_MAX);
}
