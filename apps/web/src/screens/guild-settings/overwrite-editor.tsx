// One permission overwrite: each permission denied, inherited or allowed.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { Permission } from '../../permissions';
import type { Channel } from '../../types';
import { Form, useAction } from '../../ui';
import { editable } from './permission-names';

type Tri = 'allow' | 'deny' | 'inherit';

export function OverwriteEditor({
  channel,
  targetId,
  type,
}: {
  channel: Channel;
  targetId: string;
  type: 0 | 1;
}) {
  const existing = channel.permission_overwrites?.find((o) => o.id === targetId);
  const [allow, setAllow] = useState(BigInt(existing?.allow ?? '0'));
  const [deny, setDeny] = useState(BigInt(existing?.deny ?? '0'));
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const state = (bit: bigint): Tri =>
    (allow & bit) === bit ? 'allow' : (deny & bit) === bit ? 'deny' : 'inherit';
  const set = (bit: bigint, v: Tri) => {
    setAllow(v === 'allow' ? allow | bit : allow & ~bit);
    setDeny(v === 'deny' ? deny | bit : deny & ~bit);
    setSaved(false);
  };
  return (
    <Form
      label="Channel permission overwrite"
      error={save.error}
      onSubmit={() =>
        save.run(async () => {
          if (!allow && !deny) {
            if (existing) await endpoints.deleteOverwrite(channel.id, targetId);
          } else
            await endpoints.editOverwrite(channel.id, targetId, {
              type,
              allow: allow.toString(),
              deny: deny.toString(),
            });
          setSaved(true);
        })
      }
    >
      <table>
        <thead>
          <tr>
            <th scope="col">Permission</th>
            <th scope="col">Deny</th>
            <th scope="col">Inherit</th>
            <th scope="col">Allow</th>
          </tr>
        </thead>
        <tbody>
          {editable
            .filter(
              ([k]) =>
                !['ADMINISTRATOR', 'KICK_MEMBERS', 'BAN_MEMBERS', 'MANAGE_GUILD', 'VIEW_AUDIT_LOG'].includes(
                  k,
                ),
            )
            .map(([key, label]) => {
              const bit = Permission[key];
              return (
                <tr key={key}>
                  <th scope="row">{label}</th>
                  {(['deny', 'inherit', 'allow'] as Tri[]).map((v) => (
                    <td key={v}>
                      <input
                        type="radio"
                        name={`ow-${key}`}
                        aria-label={`${label}: ${v}`}
                        checked={state(bit) === v}
                        onChange={() => set(bit, v)}
                      />
                    </td>
                  ))}
                </tr>
              );
            })}
        </tbody>
      </table>
      <button type="submit" className="primary" disabled={save.busy}>
        Save overwrite
      </button>
      {saved && <p role="status">Saved.</p>}
    </Form>
  );
}
