// Adding a server: create one, or join with an invite link or code.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { navigate } from '../../router';
import { Dialog, Field, Form, useAction } from '../../ui';

/** An invite code from a code or a pasted link (`…/invite/abc`). */
function inviteCode(input: string): string {
  const trimmed = input.trim();
  const m = trimmed.match(/\/invite\/([\w-]+)\/?$/);
  return m ? m[1] : trimmed;
}

export function AddGuildDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [invite, setInvite] = useState('');
  const create = useAction();
  const join = useAction();
  return (
    <Dialog title="Add a server" onClose={onClose}>
      <Form
        label="Create a server"
        error={create.error}
        onSubmit={() =>
          create.run(async () => {
            const g = await endpoints.createGuild({ name });
            onClose();
            navigate(`/channels/${g.id}${g.system_channel_id ? `/${g.system_channel_id}` : ''}`);
          })
        }
      >
        <h3>Create your own</h3>
        <Field
          label="Server name"
          name="guild-name"
          value={name}
          onChange={setName}
          required
          maxLength={100}
          error={create.fields.name}
        />
        <button type="submit" className="primary" disabled={create.busy}>
          Create
        </button>
      </Form>
      <Form
        label="Join a server"
        error={join.error}
        onSubmit={() =>
          join.run(async () => {
            const res = await endpoints.acceptInvite(inviteCode(invite));
            onClose();
            navigate(`/channels/${res.guild?.id ?? res.guild_id}/${res.channel?.id ?? ''}`);
          })
        }
      >
        <h3>Join with an invite</h3>
        <Field
          label="Invite link or code"
          name="invite"
          value={invite}
          onChange={setInvite}
          required
          hint={`e.g. ${location.origin}/invite/hTKzmak or hTKzmak`}
        />
        <button type="submit" className="primary" disabled={join.busy}>
          Join
        </button>
      </Form>
    </Dialog>
  );
}
