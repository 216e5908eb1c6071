// Editing a message in place: Enter saves, Esc cancels.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { tooLongReason } from '../../outbox';
import type { Message } from '../../types';

export function EditBox({ message, onDone }: { message: Message; onDone: () => void }) {
  const [text, setText] = useState(message.content);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    if (text.trim() === message.content) return onDone();
    const tooLong = tooLongReason(text);
    if (tooLong) return setError(`${tooLong} Shorten it to save.`);
    try {
      await endpoints.editMessage(message.channel_id, message.id, { content: text });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="edit-box">
      <label htmlFor={`edit-${message.id}`} className="sr-only">
        Edit message
      </label>
      <textarea
        id={`edit-${message.id}`}
        value={text}
        autoFocus
        onFocus={(e) => e.target.setSelectionRange(e.target.value.length, e.target.value.length)}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone();
          } else if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            save();
          }
        }}
      />
      <small>Esc to cancel · Enter to save {error && <span className="error">{error}</span>}</small>
    </div>
  );
}
