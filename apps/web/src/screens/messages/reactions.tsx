import type { ReactionEmoji } from '../../endpoints';
import * as endpoints from '../../endpoints';
import type { Guild, Message } from '../../types';

const quickEmoji = [
  '👍',
  '👎',
  '❤️',
  '😂',
  '🎉',
  '😮',
  '😢',
  '😡',
  '🔥',
  '👀',
  '✅',
  '❌',
  '🙏',
  '👏',
  '🤔',
  '😍',
  '😎',
  '🥳',
  '💯',
  '🚀',
  '⭐',
  '🍕',
  '☕',
  '🎵',
  '👋',
  '💡',
  '⚠️',
  '❓',
  '🙈',
  '🤝',
  '💪',
  '🐛',
];

/** Adds the viewer's reaction, or takes it back when `mine`. */
function toggleReaction(m: Message, emoji: ReactionEmoji, mine: boolean): void {
  (mine ? endpoints.unreact : endpoints.react)(m.channel_id, m.id, emoji).catch(() => {});
}

/** The reaction counts under a message; a button each, pressed when one of them is the viewer's. */
export function Reactions({ message: m, canReact }: { message: Message; canReact: boolean }) {
  if (!m.reactions?.length) return null;
  return (
    <ul className="reactions" aria-label="Reactions">
      {m.reactions.map((r) => (
        <li key={r.emoji.id ?? r.emoji.name}>
          <button
            type="button"
            className={r.me ? 'mine' : ''}
            aria-pressed={r.me}
            aria-label={`${r.emoji.name}: ${r.count}`}
            disabled={!canReact && !r.me}
            onClick={() => toggleReaction(m, r.emoji, r.me)}
          >
            {r.emoji.id ? <img src={`/emojis/${r.emoji.id}.png`} alt={r.emoji.name ?? ''} /> : r.emoji.name}{' '}
            {r.count}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The server's custom emoji, then common ones; picking one toggles the viewer's reaction with it. */
export function ReactionPicker(props: { message: Message; guild: Guild | null; onClose: () => void }) {
  const { message: m, guild, onClose } = props;
  const pick = (emoji: ReactionEmoji) => {
    onClose();
    const r = m.reactions?.find((x) =>
      emoji.id ? x.emoji.id === emoji.id : x.emoji.name === emoji.name && !x.emoji.id,
    );
    toggleReaction(m, emoji, !!r?.me);
  };
  return (
    <div
      className="emoji-picker"
      role="menu"
      aria-label="Pick a reaction"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      {(guild?.emojis ?? []).map((e) => (
        <button
          key={e.id}
          type="button"
          role="menuitem"
          aria-label={`React with :${e.name}:`}
          onClick={() => pick({ id: e.id, name: e.name })}
        >
          <img src={`/emojis/${e.id}.png`} alt="" />
        </button>
      ))}
      {quickEmoji.map((e) => (
        <button
          key={e}
          type="button"
          role="menuitem"
          aria-label={`React with ${e}`}
          onClick={() => pick({ id: null, name: e })}
        >
          {e}
        </button>
      ))}
    </div>
  );
}
