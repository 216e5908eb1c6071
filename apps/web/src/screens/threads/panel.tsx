// A channel's threads: the active ones and those archived that this client knows of, each opened by a
// click; and starting a new one in the channel.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { navigate } from '../../router';
import { getState, useStore } from '../../store';
import { type Channel, compareIds, type Guild, isForum, isThread, plural } from '../../types';
import { Dialog, Field, Form, useAction } from '../../ui';

export function ThreadsPanel(props: {
  guild: Guild;
  channel: Channel;
  canCreate: boolean;
  onClose: () => void;
}) {
  const { guild, channel } = props;
  const channels = useStore((s) => s.channels);
  const threads = Object.values(channels)
    .filter((c) => isThread(c) && c.parent_id === channel.id)
    .sort((a, b) => compareIds(b.last_message_id ?? b.id, a.last_message_id ?? a.id));
  const active = threads.filter((t) => !t.thread_metadata?.archived);
  const archived = threads.filter((t) => t.thread_metadata?.archived);
  const open = (t: Channel) => {
    props.onClose();
    openThread(guild.id, t);
  };
  const list = (items: Channel[], label: string) => (
    <section aria-label={label}>
      <h3 className="category">
        {label} — {items.length}
      </h3>
      {items.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="thread-list">
          {items.map((t) => (
            <li key={t.id}>
              <button type="button" className="link" onClick={() => open(t)}>
                {t.name}
              </button>{' '}
              <small className="muted">{plural(t.message_count ?? 0, 'message')}</small>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
  return (
    <Dialog title={`Threads in #${channel.name}`} onClose={props.onClose}>
      {props.canCreate && <NewThread channel={channel} onCreated={open} />}
      {list(active, 'Active threads')}
      {list(archived, 'Archived threads')}
    </Dialog>
  );
}

/**
 * Where a thread opens: beside its channel, in the side panel (`/channels/:guild/:channel/threads/:thread`, as on
 * Discord); a forum's post, or a thread whose channel this client does not hold, on its own.
 */
export function threadPath(guildId: string, thread: Channel): string {
  const parent = thread.parent_id ? getState().channels[thread.parent_id] : undefined;
  return parent && !isForum(parent)
    ? `/channels/${guildId}/${parent.id}/threads/${thread.id}`
    : `/channels/${guildId}/${thread.id}`;
}

/** Opens a thread where it belongs (see threadPath). */
export const openThread = (guildId: string, thread: Channel) => navigate(threadPath(guildId, thread));

/** Names a new thread, from a message (`messageId`) or in the channel itself. */
export function NewThread(props: {
  channel: Channel;
  messageId?: string;
  initialName?: string;
  onCreated: (thread: Channel) => void;
}) {
  const [name, setName] = useState(props.initialName ?? '');
  const action = useAction();
  return (
    <Form
      label="Create thread"
      error={action.error}
      onSubmit={() =>
        action.run(async () => {
          const body = { name: name.trim(), auto_archive_duration: 1440 as const };
          const thread = props.messageId
            ? await endpoints.createThreadFromMessage(props.channel.id, props.messageId, body)
            : await endpoints.createThread(props.channel.id, { ...body, type: 11 });
          props.onCreated(thread);
        })
      }
    >
      <Field
        label="Thread name"
        name="thread-name"
        value={name}
        onChange={setName}
        required
        maxLength={100}
        error={action.fields.name}
      />
      <button type="submit" className="primary" disabled={action.busy}>
        Create thread
      </button>
    </Form>
  );
}
