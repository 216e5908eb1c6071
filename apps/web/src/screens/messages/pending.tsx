import { sendMessage } from '../../outbox';
import { type PendingMessage, updatePending } from '../../store';
import { displayName, type User } from '../../types';
import { Avatar } from '../../ui';

export function PendingItem({ pending, me }: { pending: PendingMessage; me: User | null }) {
  const retry = () => {
    updatePending(pending.channel_id, pending.nonce, { failed: false, error: undefined });
    sendMessage(pending);
  };
  return (
    <li className={`message pending ${pending.failed ? 'failed' : ''}`} aria-busy={!pending.failed}>
      <Avatar user={me ?? undefined} />
      <div className="body">
        <div className="meta">
          <strong>{displayName(me ?? undefined)}</strong>{' '}
          <span className="time">{pending.failed ? 'Not sent' : 'Sending…'}</span>
        </div>
        <div className="content">{pending.content}</div>
        {pending.failed && (
          <p className="error" role="alert">
            {pending.error ?? 'Could not send.'}{' '}
            <button type="button" className="link" onClick={retry}>
              Retry
            </button>{' '}
            <button
              type="button"
              className="link"
              onClick={() => updatePending(pending.channel_id, pending.nonce, null)}
            >
              Discard
            </button>
          </p>
        )}
      </div>
    </li>
  );
}
