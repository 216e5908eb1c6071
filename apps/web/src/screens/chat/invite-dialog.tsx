// Creating an invite link to a channel, with its expiry and use limit.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import type { Channel } from '../../types';
import { Dialog, Form, useAction } from '../../ui';

export function InviteDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const [code, setCode] = useState<string | null>(null);
  const [maxAge, setMaxAge] = useState('604800');
  const [maxUses, setMaxUses] = useState('0');
  const action = useAction();
  const url = code ? `${location.origin}/invite/${code}` : '';
  return (
    <Dialog title={`Invite people to #${channel.name}`} onClose={onClose}>
      {code ? (
        <div className="field">
          <label htmlFor="invite-link">Invite link</label>
          <div className="row">
            <input id="invite-link" readOnly value={url} onFocus={(e) => e.target.select()} />
            <button type="button" onClick={() => navigator.clipboard?.writeText(url)}>
              Copy
            </button>
          </div>
        </div>
      ) : (
        <Form
          label="Create invite"
          error={action.error}
          onSubmit={() =>
            action.run(async () => {
              const inv = await endpoints.createInvite(channel.id, {
                max_age: Number(maxAge),
                max_uses: Number(maxUses),
              });
              setCode(inv.code);
            })
          }
        >
          <div className="row">
            <div className="field">
              <label htmlFor="invite-age">Expire after</label>
              <select id="invite-age" value={maxAge} onChange={(e) => setMaxAge(e.target.value)}>
                <option value="1800">30 minutes</option>
                <option value="3600">1 hour</option>
                <option value="86400">1 day</option>
                <option value="604800">7 days</option>
                <option value="0">Never</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="invite-uses">Max uses</label>
              <select id="invite-uses" value={maxUses} onChange={(e) => setMaxUses(e.target.value)}>
                <option value="0">No limit</option>
                <option value="1">1 use</option>
                <option value="5">5 uses</option>
                <option value="25">25 uses</option>
                <option value="100">100 uses</option>
              </select>
            </div>
          </div>
          <button type="submit" className="primary" disabled={action.busy} autoFocus>
            Create invite link
          </button>
        </Form>
      )}
    </Dialog>
  );
}
