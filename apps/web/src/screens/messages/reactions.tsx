import type { ReactionEmoji } from '../../endpoints';
import * as endpoints from '../../endpoints';
import type { Guild, Message } from '../../types';
import { EmojiPicker, type PickedEmoji } from '../emoji/picker';

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

/** The emoji picker for a reaction; picking one toggles the viewer's reaction with it. */
export function ReactionPicker(props: { message: Message; guild: Guild | null; onClose: () => void }) {
  const { message: m, guild, onClose } = props;
  const pick = (emoji: PickedEmoji) => {
    onClose();
    const r = m.reactions?.find((x) =>
      emoji.id ? x.emoji.id === emoji.id : x.emoji.name === emoji.name && !x.emoji.id,
    );
    toggleReaction(m, { id: emoji.id, name: emoji.name }, !!r?.me);
  };
  return <EmojiPicker guild={guild} label="Pick a reaction" onPick={pick} onClose={onClose} />;
}
