// Status and bio text as Mastodon clients expect it: HTML with links, mentions and hashtags, nothing else.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

// A URL, an @mention (a Hearth username, or `name@host` of another instance, a port allowed for tests on one
// machine) or a #hashtag, each starting at a word boundary.
const TOKEN =
  /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])|(?<![\w@])@([a-z0-9_.]*[a-z0-9_](?:@[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d{1,5})?)?)(?![\w@])|(?<![\w#&])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/giu;

/** The usernames `@name` (or `@name@host`) mentions in a text (lower case, each once, at most `max`). */
export const mentionedUsernames = (text: string, max: number) => collect(text, 2, max);

/** The hashtags of a text (lower case, each once, at most `max`). */
export const hashtags = (text: string, max: number) => collect(text, 3, max);

function collect(text: string, group: 2 | 3, max: number): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(TOKEN)) {
    if (m[group]) found.add(m[group].toLowerCase());
    if (found.size >= max) break;
  }
  return [...found];
}

/**
 * Text as Mastodon's HTML: paragraphs at blank lines, `<br>` at line breaks, links, mentions of `known` users
 * (lower-case username → profile URL) and hashtags linked to `tagUrl`; everything else escaped.
 */
export function renderText(
  text: string,
  known: Map<string, string>,
  tagUrl: (tag: string) => string,
): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n{2,}/);
  return paragraphs
    .filter((p) => p.length > 0)
    .map((p) => `<p>${renderInline(p, known, tagUrl).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

function renderInline(text: string, known: Map<string, string>, tagUrl: (tag: string) => string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const index = m.index ?? 0;
    const [whole, url, mention, tag] = m;
    let html: string | null = null;
    if (url) {
      html = `<a href="${escapeHtml(url)}" rel="nofollow noopener noreferrer" target="_blank">${escapeHtml(url)}</a>`;
    } else if (mention) {
      const profile = known.get(mention.toLowerCase());
      if (profile)
        // `@name@host` shows as `@name`, as Mastodon shows it; the link tells the instance.
        html = `<span class="h-card"><a href="${escapeHtml(profile)}" class="u-url mention">@<span>${escapeHtml(mention.split('@')[0])}</span></a></span>`;
    } else if (tag) {
      html = `<a href="${escapeHtml(tagUrl(tag.toLowerCase()))}" class="mention hashtag" rel="tag">#<span>${escapeHtml(tag)}</span></a>`;
    }
    if (html === null) continue;
    out += escapeHtml(text.slice(last, index)) + html;
    last = index + whole.length;
  }
  return out + escapeHtml(text.slice(last));
}
