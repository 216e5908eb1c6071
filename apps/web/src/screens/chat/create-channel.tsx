// Creating a text or voice channel, or a category.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { navigate } from '../../router';
import type { Channel, Guild } from '../../types';
import { Dialog, Field, Form, useAction } from '../../ui';

export function CreateChannelDialog({
  guild,
  categories,
  onClose,
}: {
  guild: Guild;
  categories: Channel[];
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [type, setType] = useState('0');
  const [parent, setParent] = useState('');
  const action = useAction();
  return (
    <Dialog title="Create channel" onClose={onClose}>
      <Form
        label="Create channel"
        error={action.error}
        onSubmit={() =>
          action.run(async () => {
            const c = await endpoints.createChannel(guild.id, {
              name,
              type: Number(type),
              ...(parent && type !== '4' ? { parent_id: parent } : {}),
            });
            onClose();
            if (c.type === 0) navigate(`/channels/${guild.id}/${c.id}`);
          })
        }
      >
        <div className="field">
          <label htmlFor="channel-type">Type</label>
          <select id="channel-type" value={type} onChange={(e) => setType(e.target.value)}>
            <option value="0">Text</option>
            <option value="2">Voice</option>
            <option value="4">Category</option>
          </select>
        </div>
        <Field
          label="Name"
          name="channel-name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
          error={action.fields.name}
        />
        {type !== '4' && categories.length > 0 && (
          <div className="field">
            <label htmlFor="channel-parent">Category</label>
            <select id="channel-parent" value={parent} onChange={(e) => setParent(e.target.value)}>
              <option value="">None</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="submit" className="primary" disabled={action.busy}>
          Create
        </button>
      </Form>
    </Dialog>
  );
}
