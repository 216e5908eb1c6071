// The channel's pinned messages.
import { useEffect, useState } from 'react';
import * as endpoints from '../../endpoints';
import { Markdown, type MentionResolver } from '../../markdown';
import { type Channel, displayName, type Guild, type Message } from '../../types';
import { Dialog } from '../../ui';

export function PinsDialog(props: {
  channel: Channel;
  guild: Guild | null;
  mentions: MentionResolver;
  onClose: () => void;
}) {
  const [pins, setPins] = useState<Message[] | null>(null);
  useEffect(() => {
    endpoints.getPins(props.channel.id).then(setPins, () => setPins([]));
  }, [props.channel.id]);
  return (
    <Dialog title="Pinned messages" onClose={props.onClose}>
      {!pins ? (
        <p>Loading…</p>
      ) : pins.length === 0 ? (
        <p>No pinned messages yet.</p>
      ) : (
        <ol className="pins">
          {pins.map((m) => (
            <li key={m.id}>
              <strong>{displayName(m.author)}</strong>
              <div>
                <Markdown text={m.content} mentions={props.mentions} />
              </div>
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}
