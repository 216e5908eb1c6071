// Keyboard: Ctrl/Cmd+K quick switcher (channels, DMs, servers, fuzzy), Alt+↑/↓ between channels, Alt+Shift+↑/↓
// to unread ones, Esc marks the open channel read, Ctrl+/ shows the shortcuts.
import { useEffect, useMemo, useState } from 'react';
import * as endpoints from '../../endpoints';
import { navigate } from '../../router';
import { getState, type State } from '../../store';
import { type Channel, ChannelType, compareIds, displayName, type Guild } from '../../types';
import { Dialog } from '../../ui';
import { isUnread, visibleChannels } from './channels';

const readable = new Set<number>([ChannelType.GuildText, ChannelType.GuildAnnouncement, 15]);

/** A server's channels one can open, in the sidebar's order (uncategorised first, then by category). */
function orderedChannels(s: State, guild: Guild): Channel[] {
  const all = visibleChannels(s, guild);
  const categories = all.filter((c) => c.type === ChannelType.GuildCategory);
  const rank = (c: Channel) => {
    const cat = categories.findIndex((k) => k.id === c.parent_id);
    return cat < 0 ? -1 : cat;
  };
  return all
    .filter((c) => readable.has(c.type))
    .sort((a, b) => rank(a) - rank(b) || (a.position ?? 0) - (b.position ?? 0) || compareIds(a.id, b.id));
}

function dmList(s: State): Channel[] {
  return Object.values(s.channels)
    .filter((c) => c.type === ChannelType.DM || c.type === ChannelType.GroupDM)
    .sort((a, b) => compareIds(b.last_message_id ?? b.id, a.last_message_id ?? a.id));
}

function dmName(s: State, c: Channel): string {
  const others = (c.recipients ?? []).filter((u) => u.id !== s.me?.id);
  return c.name || others.map((u) => displayName(s.users[u.id] ?? u)).join(', ') || 'Just you';
}

/** Fuzzy: the letters of the query in order; closer together and earlier scores better (lower). */
function fuzzyScore(query: string, text: string): number | null {
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  if (!q) return 0;
  const at = t.indexOf(q);
  if (at >= 0) return at;
  let pos = -1;
  let gaps = 0;
  for (const ch of q) {
    const next = t.indexOf(ch, pos + 1);
    if (next < 0) return null;
    if (pos >= 0) gaps += next - pos - 1;
    pos = next;
  }
  return 100 + gaps;
}

interface Target {
  key: string;
  label: string;
  hint: string;
  to: string;
}

function targets(s: State): Target[] {
  const out: Target[] = [];
  for (const id of s.guildOrder) {
    const g = s.guilds[id];
    if (!g) continue;
    out.push({ key: g.id, label: g.name, hint: 'Server', to: `/channels/${g.id}` });
    for (const c of orderedChannels(s, g))
      out.push({ key: c.id, label: `#${c.name ?? ''}`, hint: g.name, to: `/channels/${g.id}/${c.id}` });
  }
  for (const c of dmList(s))
    out.push({ key: c.id, label: `@${dmName(s, c)}`, hint: 'Direct message', to: `/channels/@me/${c.id}` });
  return out;
}

function QuickSwitcher({ onClose }: { onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const all = useMemo(() => targets(getState()), []);
  const found = useMemo(() => {
    const q = query.replace(/^[#@]/, '');
    return all
      .map((t) => ({ t, score: fuzzyScore(q, t.label.replace(/^[#@]/, '')) }))
      .filter((x): x is { t: Target; score: number } => x.score !== null)
      .sort((a, b) => a.score - b.score)
      .slice(0, 20)
      .map((x) => x.t);
  }, [all, query]);
  const go = (t: Target | undefined) => {
    if (!t) return;
    onClose();
    navigate(t.to);
  };
  return (
    <Dialog title="Quick switcher" onClose={onClose}>
      <input
        autoFocus
        role="combobox"
        aria-expanded="true"
        aria-controls="quick-switcher-results"
        aria-activedescendant={found[active] ? `qs-${found[active].key}` : undefined}
        aria-label="Where would you like to go?"
        placeholder="Where would you like to go?"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, found.length - 1));
          else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
          else if (e.key === 'Enter') go(found[active]);
          else return;
          e.preventDefault();
        }}
      />
      <div id="quick-switcher-results" role="listbox" aria-label="Results" className="quick-switcher">
        {found.map((t, i) => (
          <button
            key={t.key}
            id={`qs-${t.key}`}
            type="button"
            role="option"
            tabIndex={-1}
            aria-selected={i === active}
            className={`qs-option${i === active ? ' active' : ''}`}
            onClick={() => go(t)}
          >
            {t.label} <small>{t.hint}</small>
          </button>
        ))}
      </div>
    </Dialog>
  );
}

const shortcuts: Array<[string, string]> = [
  ['Ctrl/⌘ + K', 'Quick switcher: find a channel, DM or server'],
  ['Alt + ↑ / ↓', 'Previous / next channel'],
  ['Alt + Shift + ↑ / ↓', 'Previous / next unread channel'],
  ['Esc', 'Mark the channel read'],
  ['↑ in an empty composer', 'Edit your last message'],
  ['↑ / ↓ in the message list', 'Previous / next message (Esc: back to the composer)'],
  ['Ctrl/⌘ + /', 'This list'],
];

function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <dl className="shortcuts">
        {shortcuts.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}

/** The channel `step` away from the open one (wrapping), optionally only unread ones. */
function nextChannel(guildId: string, channelId: string | undefined, step: 1 | -1, unread: boolean) {
  const s = getState();
  const guild = guildId === '@me' ? null : s.guilds[guildId];
  const list = guild ? orderedChannels(s, guild) : dmList(s);
  const at = list.findIndex((c) => c.id === channelId);
  for (let i = 1; i <= list.length; i++) {
    const c = list[(at + step * i + list.length * 2) % list.length];
    if (!c || c.id === channelId) continue;
    if (unread && !isUnread(s, c)) continue;
    return `/channels/${guild ? guild.id : '@me'}/${c.id}`;
  }
  return null;
}

/** The app-wide shortcuts of the chat screen, and the dialogs they open. */
export function Shortcuts({ guildId, channelId }: { guildId: string; channelId: string | undefined }) {
  const [open, setOpen] = useState<'switcher' | 'help' | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setOpen((o) => (o === 'switcher' ? null : 'switcher'));
      } else if (mod && e.key === '/') {
        e.preventDefault();
        setOpen((o) => (o === 'help' ? null : 'help'));
      } else if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
        e.preventDefault();
        const to = nextChannel(guildId, channelId, e.key === 'ArrowUp' ? -1 : 1, e.shiftKey);
        if (to) navigate(to);
      } else if (e.key === 'Escape' && channelId && !document.querySelector('dialog[open]')) {
        // Esc marks the open channel read (an open dialog or picker takes Esc for itself).
        const s = getState();
        const last = s.channels[channelId]?.last_message_id;
        if (last) endpoints.ack(channelId, last).catch(() => {});
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [guildId, channelId]);
  if (open === 'switcher') return <QuickSwitcher onClose={() => setOpen(null)} />;
  if (open === 'help') return <ShortcutsHelp onClose={() => setOpen(null)} />;
  return null;
}
