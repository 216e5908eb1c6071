import { Create, Link, Mention, Note, PUBLIC_COLLECTION } from '@fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import sanitizeHtml from 'sanitize-html';

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

/** Reads a Note: visibility from its audience (`followers` is its author's followers collection, when known). */
export function noteToStatus(note: Note, followers: string | null): RemoteNote | null {
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
  const content = sanitizeContent(html);
  return {
    uri: note.id.href,
    url: url instanceof URL ? url.href : url instanceof Link ? (url.href?.href ?? null) : null,
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
