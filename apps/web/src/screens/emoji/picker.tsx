// The emoji picker: the server's custom emoji first, then recently used, then the Unicode set by category;
// a search box by name or shortcode; arrows move, Enter picks, Esc or a click outside closes.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Guild } from '../../types';
import {
  type EmojiSet,
  loadEmoji,
  recentEmoji,
  rememberEmoji,
  searchEmoji,
  setSkinTone,
  skinTone,
  withTone,
} from './data';

/** What was picked: a Unicode emoji (`id` null, `name` the character) or a server's custom emoji. */
export interface PickedEmoji {
  id: string | null;
  name: string;
  animated?: boolean;
  /** How it is written in a message: the character, or `<:name:id>`. */
  text: string;
}

interface Item extends PickedEmoji {
  label: string;
}

const columns = 8;
const tones = ['', '1F3FB', '1F3FC', '1F3FD', '1F3FE', '1F3FF'];

const customItem = (e: { id: string; name: string; animated?: boolean }): Item => ({
  id: e.id,
  name: e.name,
  animated: e.animated,
  text: `<${e.animated ? 'a' : ''}:${e.name}:${e.id}>`,
  label: `:${e.name}:`,
});

const unicodeItem = (char: string, label: string): Item => ({ id: null, name: char, text: char, label });

export function EmojiPicker(props: {
  guild: Guild | null;
  label: string;
  onPick: (e: PickedEmoji) => void;
  onClose: () => void;
}) {
  const { guild, onPick, onClose } = props;
  const [set, setSet] = useState<EmojiSet | null>(null);
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [tone, setTone] = useState(skinTone);
  const root = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLDivElement>(null);

  useEffect(() => {
    loadEmoji().then(setSet, () => setFailed(true));
  }, []);

  // A press anywhere outside closes the picker (the button that opened it toggles it itself).
  useEffect(() => {
    const outside = (e: PointerEvent) => {
      const target = e.target as Element;
      if (root.current && !root.current.contains(target) && !target.closest?.('[data-emoji-toggle]'))
        onClose();
    };
    document.addEventListener('pointerdown', outside, true);
    return () => document.removeEventListener('pointerdown', outside, true);
  }, [onClose]);

  const sections = useMemo(() => {
    const custom = (guild?.emojis ?? []).map(customItem);
    if (query.trim()) {
      const q = query.trim().toLowerCase().replace(/^:|:$/g, '');
      const found = [
        ...custom.filter((c) => c.name.toLowerCase().includes(q)),
        ...(set ? searchEmoji(set, q).map((e) => unicodeItem(withTone(e, tone), e.label)) : []),
      ];
      return [{ name: 'Results', items: found }];
    }
    const labels = new Map(set?.emojis.map((e) => [e.char, e.label]));
    const recent = recentEmoji()
      .map((text) => {
        const m = /^<(a?):(\w+):(\d+)>$/.exec(text);
        if (m) return custom.find((c) => c.id === m[3]) ?? null;
        return unicodeItem(text, labels.get(text) ?? text);
      })
      .filter((x): x is Item => x !== null);
    const out: Array<{ name: string; items: Item[] }> = [];
    if (custom.length) out.push({ name: guild?.name ?? 'This server', items: custom });
    if (recent.length) out.push({ name: 'Recently used', items: recent });
    for (const g of set?.groups ?? [])
      out.push({
        name: g.name,
        items: set!.emojis
          .filter((e) => e.group === g.id)
          .map((e) => unicodeItem(withTone(e, tone), e.label)),
      });
    return out;
  }, [set, query, guild, tone]);

  const flat = useMemo(() => sections.flatMap((s) => s.items), [sections]);
  const current = flat[Math.min(active, flat.length - 1)];

  const scrollToActive = (i: number) =>
    requestAnimationFrame(() =>
      grid.current?.querySelector(`#emoji-${i}`)?.scrollIntoView({ block: 'nearest' }),
    );

  const pick = (item: Item) => {
    rememberEmoji(item.text);
    onPick({ id: item.id, name: item.name, animated: item.animated, text: item.text });
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: columns,
      ArrowUp: -columns,
    };
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key in moves && flat.length) {
      e.preventDefault();
      const next = Math.max(0, Math.min(flat.length - 1, active + moves[e.key]!));
      setActive(next);
      scrollToActive(next);
    } else if (e.key === 'Enter' && current) {
      e.preventDefault();
      pick(current);
    }
  };

  let index = 0;
  return (
    <div className="emoji-picker" ref={root} role="dialog" aria-label={props.label} onKeyDown={onKeyDown}>
      <div className="emoji-top">
        <input
          type="search"
          autoFocus
          placeholder="Find an emoji"
          aria-label="Find an emoji"
          role="combobox"
          aria-expanded
          aria-controls="emoji-grid"
          aria-activedescendant={current ? `emoji-${active}` : undefined}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
        />
        <select
          aria-label="Skin tone"
          value={tone}
          onChange={(e) => {
            setTone(e.target.value);
            setSkinTone(e.target.value);
          }}
        >
          {tones.map((t) => (
            <option key={t} value={t}>
              {t ? String.fromCodePoint(0x1f44b, Number.parseInt(t, 16)) : '👋'}
            </option>
          ))}
        </select>
      </div>
      {!query && set && (
        <nav className="emoji-groups" aria-label="Emoji categories">
          {sections.map((s) => (
            <button
              key={s.name}
              type="button"
              title={s.name}
              aria-label={s.name}
              onClick={() => grid.current?.querySelector(`[data-section="${s.name}"]`)?.scrollIntoView()}
            >
              {s.items[0]?.id ? <img src={`/emojis/${s.items[0].id}.png`} alt="" /> : s.items[0]?.text}
            </button>
          ))}
        </nav>
      )}
      <div className="emoji-grid" id="emoji-grid" role="listbox" aria-label="Emoji" ref={grid}>
        {failed && <p className="muted">The emoji could not be loaded.</p>}
        {!set && !failed && <p className="muted">Loading…</p>}
        {set && !flat.length && <p className="muted">No emoji matches “{query}”.</p>}
        {sections.map((s) => (
          // A listbox holds options or groups of them: each category is a group named for it; its visible title is
          // hidden from the accessibility tree so the group holds only options.
          // biome-ignore lint/a11y/useSemanticElements: a group of a listbox's options, not of form controls (fieldset)
          <div key={s.name} data-section={s.name} role="group" aria-label={s.name}>
            <div className="emoji-heading" aria-hidden="true">
              {s.name}
            </div>
            <div className="emoji-cells">
              {s.items.map((item) => {
                const i = index++;
                return (
                  <button
                    key={`${s.name}-${item.text}`}
                    id={`emoji-${i}`}
                    type="button"
                    role="option"
                    tabIndex={-1}
                    aria-selected={i === active}
                    aria-label={item.label}
                    title={item.label}
                    onMouseEnter={() => setActive(i)}
                    onClick={() => pick(item)}
                  >
                    {item.id ? <img src={`/emojis/${item.id}.png`} alt="" /> : item.text}
                  </button>
                );
              })}
            </div>
          </div>
        ))}
      </div>
      <div className="emoji-footer" aria-live="polite">
        {current ? `${current.text.startsWith('<') ? '' : current.text} ${current.label}` : ''}
      </div>
    </div>
  );
}
