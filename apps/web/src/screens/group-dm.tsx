// A group DM's settings: anyone in it may rename it or leave; its owner adds and removes people.
// What is shown comes from the store, so CHANNEL_UPDATE and CHANNEL_RECIPIENT_ADD/REMOVE keep it live.
import { useState } from 'react';
import * as endpoints from '../endpoints';
import { navigate } from '../router';
import { useStore } from '../store';
import { type Channel, displayName } from '../types';
import { Alert, Avatar, Dialog, Field, Form, useAction } from '../ui';

/** Discord's limit: a group DM holds at most ten people. */
const maxPeople = 10;

export function GroupDmSettings({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const me = useStore((s) => s.me?.id);
  const users = useStore((s) => s.users);
  const relationships = useStore((s) => s.relationships);
  const [name, setName] = useState(channel.name ?? '');
  const [adding, setAdding] = useState('');
  const rename = useAction();
  const people = useAction();
  const owner = channel.owner_id === me;
  const recipients = (channel.recipients ?? []).filter((u) => u.id !== me);
  const inside = new Set(recipients.map((u) => u.id));
  const addable = Object.values(relationships).filter((r) => r.type === 1 && !inside.has(r.id));
  const full = recipients.length + 1 >= maxPeople;
  const call = (request: () => Promise<unknown>, then?: () => void) =>
    people.run(async () => {
      await request();
      then?.();
    });

  return (
    <Dialog title="Group settings" onClose={onClose}>
      <Form
        label="Rename group"
        error={rename.error}
        className="row"
        onSubmit={() =>
          rename.run(async () => {
            await endpoints.modifyChannel(channel.id, { name: name.trim() });
          })
        }
      >
        <Field
          label="Group name"
          name="group-name"
          value={name}
          onChange={setName}
          maxLength={100}
          error={rename.fields.name}
        />
        <button type="submit" disabled={rename.busy}>
          Rename
        </button>
      </Form>

      <h3>People</h3>
      <ul className="group-people">
        {recipients.map((u) => (
          <li key={u.id}>
            <Avatar user={users[u.id] ?? u} size={24} /> <span>{displayName(users[u.id] ?? u)}</span>
            {owner && (
              <button
                type="button"
                className="danger"
                disabled={people.busy}
                onClick={() => call(() => endpoints.removeRecipient(channel.id, u.id))}
              >
                Remove {displayName(users[u.id] ?? u)}
              </button>
            )}
          </li>
        ))}
      </ul>
      {owner && !full && addable.length > 0 && (
        <Form
          label="Add to group"
          className="row"
          onSubmit={() =>
            call(
              () => endpoints.addRecipient(channel.id, adding),
              () => setAdding(''),
            )
          }
        >
          <label htmlFor="group-add">Friend to add</label>
          <select id="group-add" value={adding} onChange={(e) => setAdding(e.target.value)} required>
            <option value="">Choose a friend</option>
            {addable.map((r) => (
              <option key={r.id} value={r.id}>
                {displayName(users[r.id] ?? r.user)}
              </option>
            ))}
          </select>
          <button type="submit" disabled={people.busy || !adding}>
            Add
          </button>
        </Form>
      )}
      <Alert message={people.error} />

      <button
        type="button"
        className="danger"
        disabled={people.busy}
        onClick={() =>
          call(
            () => endpoints.deleteChannel(channel.id),
            () => {
              onClose();
              navigate('/channels/@me/friends');
            },
          )
        }
      >
        Leave group
      </button>
    </Dialog>
  );
}
