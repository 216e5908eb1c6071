// The Unicode emoji set (emojibase-data, English labels, Slack/Discord-style shortcodes), loaded on first
// use as its own chunk so the app's main bundle does not carry it.

export interface UnicodeEmoji {
  char: string;
  label: string;
  group: number;
  shortcodes: string[];
  tags: string[];
  /** The skin-tone variants by modifier (1F3FB…1F3FF), when the emoji takes one. */
  skins?: Record<string, string>;
}

export interface EmojiSet {
  emojis: UnicodeEmoji[];
  groups: Array<{ id: number; name: string }>;
}

let loading: Promise<EmojiSet> | null = null;

// Emojibase writes some emoji with a presentation selector (U+FE0F) that Unicode's RGI form has not (👍️ for 👍);
// the server, like Discord, takes the RGI form, so each is written that way. Built at run time: the `v` flag
// is newer than the build's target.
const rgi = /^\p{RGI_Emoji}$/v;
function canonical(text: string): string {
  if (rgi.test(text)) return text;
  const bare = text.replaceAll('\uFE0F', '');
  if (rgi.test(bare)) return bare;
  return rgi.test(`${bare}\uFE0F`) ? `${bare}\uFE0F` : text;
}

/** The emoji set, fetched once; later calls share the same promise. */
export function loadEmoji(): Promise<EmojiSet> {
  loading ??= (async () => {
    const [{ default: compact }, { default: codes }, { default: messages }] = await Promise.all([
      import('emojibase-data/en/compact.json'),
      import('emojibase-data/en/shortcodes/iamcal.json'),
      import('emojibase-data/en/messages.json'),
    ]);
    const emojis: UnicodeEmoji[] = [];
    for (const e of compact) {
      // Regional indicators and skin-tone swatches have no group: they are parts, not emoji to pick.
      if (e.group === undefined || e.group === 2) continue;
      const c = (codes as Record<string, string | string[]>)[e.hexcode];
      const skins = e.skins?.length
        ? Object.fromEntries(
            e.skins.map((s) => [
              s.hexcode.slice(e.hexcode.length + 1, e.hexcode.length + 6),
              canonical(s.unicode),
            ]),
          )
        : undefined;
      emojis.push({
        char: canonical(e.unicode),
        label: e.label,
        group: e.group,
        shortcodes: c === undefined ? [] : Array.isArray(c) ? c : [c],
        tags: e.tags ?? [],
        skins,
      });
    }
    const groups = messages.groups
      .filter((g) => g.order !== 2)
      .map((g) => ({ id: g.order, name: g.message[0]!.toUpperCase() + g.message.slice(1) }));
    return { emojis, groups };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** The emoji whose shortcode, label or tag matches `query` (shortcode prefixes first), at most `limit`. */
export function searchEmoji(set: EmojiSet, query: string, limit = 200): UnicodeEmoji[] {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, '');
  if (!q) return [];
  const first: UnicodeEmoji[] = [];
  const rest: UnicodeEmoji[] = [];
  for (const e of set.emojis) {
    if (e.shortcodes.some((s) => s.startsWith(q))) first.push(e);
    else if (e.label.includes(q) || e.shortcodes.some((s) => s.includes(q)) || e.tags.includes(q))
      rest.push(e);
    if (first.length >= limit) break;
  }
  return [...first, ...rest].slice(0, limit);
}

/** The variant of `e` in skin tone `tone` ('' is the default yellow). */
export const withTone = (e: UnicodeEmoji, tone: string): string => (tone && e.skins?.[tone]) || e.char;

const recentKey = 'hearth.emoji.recent';
const toneKey = 'hearth.emoji.tone';

/** The emoji last picked on this device, newest first: unicode text, or `<:name:id>` for custom ones. */
export function recentEmoji(): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(recentKey) ?? '[]');
    return Array.isArray(list) ? list.filter((x) => typeof x === 'string').slice(0, 24) : [];
  } catch {
    return [];
  }
}

export function rememberEmoji(text: string): void {
  try {
    localStorage.setItem(
      recentKey,
      JSON.stringify([text, ...recentEmoji().filter((x) => x !== text)].slice(0, 24)),
    );
  } catch {
    // Private mode or a full store: recents are a convenience.
  }
}

export const skinTone = (): string => localStorage.getItem(toneKey) ?? '';
export const setSkinTone = (tone: string): void => localStorage.setItem(toneKey, tone);
