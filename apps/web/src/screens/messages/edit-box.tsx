// Editing a message in place: Enter saves, Esc cancels. Its files are listed with a Remove each: as in Discord's
// client, files can be taken out of a sent message (after a confirm; the edit names the ones it keeps in
// `attachments`), not added to it.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { formatBytes, tooLongReason } from '../../outbox';
import type { Attachment, Message } from '../../types';
import { ConfirmDialog } from '../../ui';

export function EditBox({ message, onDone }: { message: Message; onDone: () => void }) {
  const [text, setText] = useState(message.content);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Attachment | null>(null);
  const [busy, setBusy] = useState(false);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const remove = async (gone: Attachment) => {
    setBusy(true);
    setRemoveError(null);
    try {
      // Only the files: the text being edited is saved (or not) by Enter, as before.
      await endpoints.editMessage(message.channel_id, message.id, {
        attachments: message.attachments.filter((a) => a.id !== gone.id).map((a) => ({ id: a.id })),
      });
      setRemoving(null);
    } catch (err) {
      setRemoveError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
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
      {message.attachments.length > 0 && (
        <ul className="edit-files" aria-label="Files of this message">
          {message.attachments.map((a) => (
            <li key={a.id}>
              <span className="edit-file-name">{a.filename}</span> <small>{formatBytes(a.size)}</small>
              <button
                type="button"
                className="icon"
                aria-label={`Remove ${a.filename}`}
                title="Remove this file"
                onClick={() => {
                  setRemoveError(null);
                  setRemoving(a);
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {removing && (
        <ConfirmDialog
          title="Remove file"
          confirm="Remove"
          // The message's only content cannot go: an empty message is refused (delete it instead).
          busy={busy || (!message.content.trim() && message.attachments.length === 1)}
          error={removeError}
          onConfirm={() => remove(removing)}
          onClose={() => setRemoving(null)}
        >
          <p>{`Remove ${removing.filename} from this message? Everyone stops seeing it; this cannot be undone.`}</p>
          {!message.content.trim() && message.attachments.length === 1 && (
            <p className="muted">It is the message's only content: delete the message instead.</p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}
