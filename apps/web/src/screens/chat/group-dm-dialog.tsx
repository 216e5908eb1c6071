// Starting a group DM with up to nine friends.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { navigate } from '../../router';
import { applyDispatch, useStore } from '../../store';
import { displayName } from '../../types';
import { Dialog, Form, useAction } from '../../ui';

export function GroupDmDialog({ onClose }: { onClose: () => void }) {
  const relationships = useStore((s) => s.relationships);
  const friends = Object.values(relationships).filter((r) => r.type === 1);
  const [picked, setPicked] = useState<string[]>([]);
  const action = useAction();
  return (
    <Dialog title="New group DM" onClose={onClose}>
      {friends.length === 0 ? (
        <p>Add friends first: a group DM is made of friends.</p>
      ) : (
        <Form
          label="New group DM"
          error={action.error}
          onSubmit={() =>
            action.run(async () => {
              const channel = await endpoints.createGroupDm(picked);
              applyDispatch('CHANNEL_CREATE', channel);
              onClose();
              navigate(`/channels/@me/${channel.id}`);
            })
          }
        >
          <fieldset className="pick">
            <legend>Friends to add (up to 9)</legend>
            {friends.map((r) => (
              <label key={r.id}>
                <input
                  type="checkbox"
                  checked={picked.includes(r.id)}
                  disabled={!picked.includes(r.id) && picked.length >= 9}
                  onChange={(e) =>
                    setPicked(e.target.checked ? [...picked, r.id] : picked.filter((id) => id !== r.id))
                  }
                />{' '}
                {displayName(r.user)}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={action.busy || picked.length === 0}>
            Create group DM
          </button>
        </Form>
      )}
    </Dialog>
  );
}
