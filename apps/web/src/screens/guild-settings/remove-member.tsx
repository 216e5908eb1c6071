// Kick or ban, confirmed, with a reason for the audit log and, for a ban, how much history goes.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { displayName, type Guild, type Member, type User } from '../../types';
import { Dialog, Field, Form, useAction } from '../../ui';

/** How much of a banned member's recent messages a ban deletes (Discord's choices). */
const historyChoices = [
  ['0', "Don't delete any"],
  ['3600', 'Previous hour'],
  ['21600', 'Previous 6 hours'],
  ['43200', 'Previous 12 hours'],
  ['86400', 'Previous 24 hours'],
  ['259200', 'Previous 3 days'],
  ['604800', 'Previous 7 days'],
] as const;

/** Kick or ban, confirmed, with a reason for the audit log and, for a ban, how much history goes. */
export function RemoveMember(props: {
  guild: Guild;
  member: Member & { user: User };
  ban: boolean;
  onClose: () => void;
}) {
  const { guild, member, ban } = props;
  const [reason, setReason] = useState('');
  const [history, setHistory] = useState('0');
  const act = useAction();
  const name = displayName(member.user, member);
  const verb = ban ? 'Ban' : 'Kick';
  return (
    <Dialog title={`${verb} ${name}?`} onClose={props.onClose}>
      <Form
        label={`${verb} ${name}`}
        error={act.error}
        onSubmit={() =>
          act.run(async () => {
            const opts = { reason: reason.trim() || undefined };
            if (ban)
              await endpoints.ban(
                guild.id,
                member.user.id,
                { delete_message_seconds: Number(history) },
                opts,
              );
            else await endpoints.kick(guild.id, member.user.id, opts);
            props.onClose();
          })
        }
      >
        <p>
          {ban
            ? `${name} will be removed from ${guild.name} and cannot join again until unbanned.`
            : `${name} will be removed from ${guild.name} and can join again with an invite.`}
        </p>
        {ban && (
          <div className="field">
            <label htmlFor="ban-history">Delete message history</label>
            <select id="ban-history" value={history} onChange={(e) => setHistory(e.target.value)}>
              {historyChoices.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        )}
        <Field
          label="Reason (for the audit log)"
          name="reason"
          value={reason}
          onChange={setReason}
          maxLength={512}
        />
        <div className="row">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={act.busy}>
            {verb}
          </button>
        </div>
      </Form>
    </Dialog>
  );
}
