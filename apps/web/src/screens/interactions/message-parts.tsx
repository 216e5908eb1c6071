// What an interaction response adds to its message: above it, who used which command; below an ephemeral one,
// "Only you can see this • Dismiss message" (dismissing forgets it here: nobody else ever had it).
import { dismissEphemeral, MessageFlag } from '../../interactions';
import { useStore } from '../../store';
import { displayName, type Message } from '../../types';

export const isEphemeral = (m: Message) => !!((m.flags ?? 0) & MessageFlag.Ephemeral);
export const isLoading = (m: Message) => !!((m.flags ?? 0) & MessageFlag.Loading);

type Metadata = { user?: { id: string; username: string; global_name?: string | null }; name?: string };

export function InteractionNote({ message, line }: { message: Message; line?: boolean }) {
  const meta = message.interaction_metadata as Metadata | undefined;
  const member = useStore((s) =>
    message.guild_id && meta?.user ? s.members[message.guild_id]?.[meta.user.id] : undefined,
  );
  if (line) {
    if (!meta?.user || !meta.name) return null;
    return (
      <p className="reply-ref interaction-line">
        ↪ <strong>{displayName(meta.user, member)}</strong> used{' '}
        <span className="command-name">/{meta.name}</span>
      </p>
    );
  }
  return (
    <p className="ephemeral-note">
      <small>
        Only you can see this •{' '}
        <button type="button" className="link" onClick={() => dismissEphemeral(message)}>
          Dismiss message
        </button>
      </small>
    </p>
  );
}
