// Commands and modal submits of this person waiting for their application in a channel: "Sending command…" until
// it answers, then nothing (its answer is a message), or "The application did not respond" when the deadline passed
// (or the server refused it, with its reason), until dismissed.
import { dismissInteraction } from '../../interactions';
import { useStore } from '../../store';

export function PendingInteractions({ channelId }: { channelId: string }) {
  const all = useStore((s) => s.interactions);
  const list = Object.values(all).filter((p) => p.channel_id === channelId && p.kind !== 'component');
  if (!list.length) return null;
  return (
    <ul className="pending-interactions" aria-label="Your commands">
      {list.map((p) => (
        <li key={p.nonce} className={p.failed ? 'failed' : undefined}>
          <span className="muted">
            {p.kind === 'modal' ? `${p.label} (${p.application})` : `${p.label} (${p.application})`}
          </span>{' '}
          {p.failed ? (
            <>
              <span role="alert" className="error">
                {p.error ?? 'The application did not respond'}
              </span>{' '}
              <button type="button" className="link" onClick={() => dismissInteraction(p.nonce)}>
                Dismiss
              </button>
            </>
          ) : (
            <span aria-live="polite">{p.kind === 'modal' ? 'Submitting…' : 'Sending command…'}</span>
          )}
        </li>
      ))}
    </ul>
  );
}
