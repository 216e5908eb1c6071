// The search box in a server's conversation header: Enter searches the whole server with Discord's filters. While it
// has focus it suggests the filters (those starting with the word being typed); a date filter (before:, after:,
// during:) opens a date picker whose day is written into the box as YYYY-MM-DD.
import { useRef, useState } from 'react';
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
  const input = useRef<HTMLInputElement>(null);
  const root = usePopover<HTMLElement>(open, () => {
    setOpen(false);
    setPicking(null);
  });
  // The word being typed (after the last space): suggestions are the filters it begins.
  const last = text.split(/\s+/).pop() ?? '';
  const typing = last.includes(':') ? null : last.toLowerCase();
  const shown = typing === null ? [] : searchFilters.filter((f) => f.startsWith(typing));
  /** Replaces the word being typed with `token` (and a space after a whole filter). */
  const put = (token: string) => {
    const head = text.slice(0, text.length - last.length);
    setText(`${head}${token}`);
    input.current?.focus();
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
              <ul aria-label="Search options">
                {shown.map((f) => (
                  <li key={f}>
                    <button
                      type="button"
                      onClick={() => {
                        if (isDate(f)) setPicking(f);
                        else put(`${f}:`);
                      }}
                    >
                      <strong>{f}:</strong> <span className="muted">{hints[f]}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </search>
  );
}
