// The search box in a server's conversation header: Enter searches the whole server with Discord's filters. While it
// has focus it suggests the filters (those starting with the word being typed); a date filter (before:, after:,
// during:) opens a date picker whose day is written into the box as YYYY-MM-DD. The box is a WAI-ARIA combobox: ↑/↓
// move through the suggestions (aria-activedescendant; focus stays in the box), Enter takes the one marked (else
// searches), Escape closes them.
import { useId, useRef, useState } from 'react';
import { usePopover } from '../../ui';
import './search.css';
import { type DateFilter, dateFilters, searchFilters } from './query';

const hints: Record<(typeof searchFilters)[number], string> = {
  from: 'user',
  mentions: 'user',
  in: 'channel',
  has: 'link, embed or file',
  before: 'specific date',
  after: 'specific date',
  during: 'specific date',
};

const isDate = (f: string): f is DateFilter => (dateFilters as readonly string[]).includes(f);
/** Today as YYYY-MM-DD in the reader's time zone (the picker's default and its upper bound). */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function SearchBox({ guildName, onSearch }: { guildName: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [picking, setPicking] = useState<DateFilter | null>(null);
  // The suggestion marked by the arrow keys (-1: none), and the text it was marked for (typing unmarks it).
  const [active, setActive] = useState<{ index: number; text: string }>({ index: -1, text: '' });
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const root = usePopover<HTMLElement>(open, () => {
    setOpen(false);
    setPicking(null);
  });
  // The word being typed (after the last space): suggestions are the filters it begins.
  const last = text.split(/\s+/).pop() ?? '';
  const typing = last.includes(':') ? null : last.toLowerCase();
  const shown = typing === null ? [] : searchFilters.filter((f) => f.startsWith(typing));
  const expanded = open && !picking && shown.length > 0;
  const marked = expanded && active.text === text && active.index < shown.length ? active.index : -1;
  const optionId = (i: number) => `${listId}-${i}`;
  /** Replaces the word being typed with `token` (and a space after a whole filter). */
  const put = (token: string) => {
    const head = text.slice(0, text.length - last.length);
    setText(`${head}${token}`);
    input.current?.focus();
  };
  const choose = (f: (typeof searchFilters)[number]) => {
    if (isDate(f)) setPicking(f);
    else put(`${f}:`);
  };
  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      setPicking(null);
      if (!shown.length) return;
      const down = e.key === 'ArrowDown';
      const next =
        marked < 0 ? (down ? 0 : shown.length - 1) : (marked + (down ? 1 : -1) + shown.length) % shown.length;
      setActive({ index: next, text });
      document.getElementById(optionId(next))?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter' && marked >= 0) {
      e.preventDefault();
      setActive({ index: -1, text: '' });
      choose(shown[marked]);
    } else if (e.key === 'Escape' && (expanded || picking)) {
      // Closes the suggestions; the text stays (a second Escape clears the box as a search field does).
      e.preventDefault();
      setOpen(false);
      setPicking(null);
    }
  };

  return (
    <search className="search-box" ref={root}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setOpen(false);
          setPicking(null);
          if (text.trim()) onSearch(text.trim());
        }}
      >
        <input
          ref={input}
          type="search"
          role="combobox"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={marked >= 0 ? optionId(marked) : undefined}
          onKeyDown={onKeyDown}
          aria-label={`Search ${guildName}`}
          title="Words, from:name, mentions:name, in:channel, has:link|file|image|video|sound|embed|sticker, before:, after: or during: a date"
          placeholder="Search"
          value={text}
          onFocus={() => setOpen(true)}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
          }}
        />
      </form>
      {open && (picking || shown.length > 0) && (
        <div className="search-suggestions">
          {picking ? (
            <label>
              {`Messages ${picking === 'during' ? 'on' : picking} this day`}
              <input
                type="date"
                max={today()}
                autoFocus
                onChange={(e) => {
                  if (!e.target.value) return;
                  put(`${picking}:${e.target.value} `);
                  setPicking(null);
                  setOpen(false);
                }}
              />
            </label>
          ) : (
            <>
              <h3>Search options</h3>
              <div id={listId} role="listbox" aria-label="Search options">
                {shown.map((f, i) => (
                  <div
                    key={f}
                    id={optionId(i)}
                    role="option"
                    tabIndex={-1}
                    aria-selected={i === marked}
                    className={i === marked ? 'active' : undefined}
                    // The focus stays in the box (a combobox's options are never focused).
                    onMouseDown={(e) => e.preventDefault()}
                    onClick={() => choose(f)}
                    onKeyDown={(e) => e.key === 'Enter' && choose(f)}
                  >
                    <strong>{f}:</strong> <span className="muted">{hints[f]}</span>
                  </div>
                ))}
              </div>
            </>
          )}
        </div>
      )}
    </search>
  );
}
