// Link previews (Discord's link embeds), the pure part: which links of a message get one, and what a fetched page's
// OpenGraph and Twitter card tags say. The fetching, caching and message updates are in link-previews.service.ts.

/** At most this many links of one message are previewed (Discord shows a handful, never one per link of a list). */
const MAX_PREVIEWED_LINKS = 5;

const TITLE_MAX = 256;
const DESCRIPTION_MAX = 350;
const SITE_MAX = 256;
const URL_MAX = 2048;

/** A link embed as stored on the message (Discord's `type: 'link' | 'article' | 'image'` embeds). */
export interface LinkEmbed {
  type: 'link' | 'article' | 'image';
  url: string;
  title?: string;
  description?: string;
  color?: number;
  provider?: { name: string };
  thumbnail?: { url: string };
  image?: { url: string };
}

/**
 * The http(s) links of a message's content that get a preview, in order, without repeats: not those inside code
 * (inline or blocks), not those written `<https://…>` (Discord's way of keeping one link from unfurling), at most
 * MAX_PREVIEWED_LINKS.
 */
export function previewedLinks(content: string): string[] {
  const prose = content.replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const found: string[] = [];
  for (const m of prose.matchAll(/https?:\/\/[^\s<>"'`|]+/gi)) {
    if (m.index > 0 && prose[m.index - 1] === '<') continue;
    let url = trimTrailing(m[0]);
    if (url.length > URL_MAX) continue;
    try {
      url = new URL(url).href;
    } catch {
      continue;
    }
    if (!found.includes(url)) found.push(url);
    if (found.length === MAX_PREVIEWED_LINKS) break;
  }
  return found;
}

/** Drops punctuation that ends a sentence rather than the link; a closing parenthesis only when unbalanced. */
function trimTrailing(url: string): string {
  let u = url;
  for (;;) {
    const last = u.at(-1);
    if (last && '.,;:!?*_~\'"'.includes(last)) u = u.slice(0, -1);
    else if (last === ')' && count(u, '(') < count(u, ')')) u = u.slice(0, -1);
    else return u;
  }
}

const count = (s: string, c: string) => s.split(c).length - 1;

/** The preview of an HTML page from its head's meta tags, or null when it names nothing worth showing. */
export function previewFromHtml(html: string, pageUrl: string): LinkEmbed | null {
  const bodyAt = html.search(/<body[\s>]/i);
  const head = bodyAt > 0 ? html.slice(0, bodyAt) : html;
  const meta = new Map<string, string>();
  for (const tag of head.matchAll(/<meta\b[^>]*>/gi)) {
    const attrs = attributes(tag[0]);
    const key = (attrs.get('property') ?? attrs.get('name') ?? attrs.get('itemprop'))?.toLowerCase();
    const value = attrs.get('content');
    if (key && value !== undefined && !meta.has(key)) meta.set(key, decodeEntities(value).trim());
  }
  const pick = (...keys: string[]) => keys.map((k) => meta.get(k)).find((v) => v);
  const titleTag = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(head)?.[1];
  const title = pick('og:title', 'twitter:title') ?? (titleTag ? decodeEntities(titleTag).trim() : undefined);
  const description = pick('og:description', 'twitter:description', 'description');
  const site = pick('og:site_name', 'application-name');
  const rawImage = pick(
    'og:image:secure_url',
    'og:image',
    'og:image:url',
    'twitter:image',
    'twitter:image:src',
  );
  const image = rawImage ? absoluteHttpUrl(rawImage, pageUrl) : null;
  if (!title && !description && !image) return null;
  const embed: LinkEmbed = {
    type: meta.get('og:type') === 'article' ? 'article' : 'link',
    url: pageUrl,
  };
  if (title) embed.title = clip(oneLine(title), TITLE_MAX);
  if (description) embed.description = clip(description, DESCRIPTION_MAX);
  if (site) embed.provider = { name: clip(oneLine(site), SITE_MAX) };
  const colour = /^#([0-9a-f]{6})$/i.exec(meta.get('theme-color') ?? '')?.[1];
  if (colour) embed.color = Number.parseInt(colour, 16);
  // A large card shows its picture under the text; any other, beside it (as Discord lays them out).
  if (image) {
    if (meta.get('twitter:card') === 'summary_large_image') embed.image = { url: image };
    else embed.thumbnail = { url: image };
  }
  return embed;
}

/** The preview of a link that is itself an image. */
export function imagePreview(url: string): LinkEmbed {
  return { type: 'image', url, thumbnail: { url } };
}

function attributes(tag: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of tag.matchAll(/([a-zA-Z_:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g))
    attrs.set(m[1].toLowerCase(), m[2] ?? m[3] ?? m[4] ?? '');
  return attrs;
}

const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, e: string) => {
    if (e[0] !== '#') return named[e.toLowerCase()] ?? whole;
    const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function absoluteHttpUrl(raw: string, base: string): string | null {
  try {
    const u = new URL(raw, base);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.href.length <= URL_MAX ? u.href : null;
  } catch {
    return null;
  }
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ');

function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}
