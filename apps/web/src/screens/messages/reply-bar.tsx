// Above the composer while replying: whom to, and Cancel (Esc also cancels).
import { useStore } from '../../store';
import { displayName, type Message } from '../../types';

export function ReplyBar({ replyTo, onCancel }: { replyTo: Message; onCancel: () => void }) {
  const author = useStore((s) => s.users[replyTo.author.id]) ?? replyTo.author;
  return (
    <div className="replying">
      Replying to <strong>{displayName(author)}</strong>
      <button type="button" className="link" onClick={onCancel} aria-label="Cancel reply">
        Cancel (Esc)
      </button>
    </div>
  );
}
