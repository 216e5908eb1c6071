// One member's nickname and roles.
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { topPosition } from '../../permissions';
import { useStore } from '../../store';
import { displayName, type Guild, type Member } from '../../types';
import { Field, Form, useAction } from '../../ui';

export function MemberEditor(props: { guild: Guild; member: Member; nick: boolean; roles: boolean }) {
  const { guild, member } = props;
  const [nick, setNick] = useState(member.nick ?? '');
  const [roles, setRoles] = useState(member.roles);
  const [saved, setSaved] = useState(false);
  const save = useAction();
  // Roles at or above my highest are the server's to refuse (hierarchy): shown, not offered.
  const me = useStore((s) => s.me?.id);
  const myMember = useStore((s) => (me ? s.members[guild.id]?.[me] : undefined));
  const mine = me ? topPosition(guild, me, myMember) : 0;
  const assignable = guild.roles
    .filter((r) => r.id !== guild.id && !r.managed)
    .sort((a, b) => b.position - a.position);
  return (
    <Form
      label={`Edit ${displayName(member.user, member)}`}
      error={save.error}
      onSubmit={() =>
        save.run(async () => {
          setSaved(false);
          await endpoints.modifyMember(guild.id, member.user!.id, {
            ...(props.nick ? { nick: nick || null } : {}),
            ...(props.roles ? { roles } : {}),
          });
          setSaved(true);
        })
      }
    >
      <h3>{displayName(member.user, member)}</h3>
      {props.nick && (
        <Field
          label="Nickname"
          name="member-nick"
          value={nick}
          onChange={setNick}
          maxLength={32}
          error={save.fields.nick}
        />
      )}
      {props.roles && (
        <fieldset className="pick">
          <legend>Roles</legend>
          {assignable.map((r) => (
            <label key={r.id}>
              <input
                type="checkbox"
                checked={roles.includes(r.id)}
                disabled={r.position >= mine}
                onChange={(e) =>
                  setRoles(e.target.checked ? [...roles, r.id] : roles.filter((id) => id !== r.id))
                }
              />{' '}
              {r.name}
            </label>
          ))}
        </fieldset>
      )}
      <button type="submit" className="primary" disabled={save.busy}>
        Save member
      </button>
      {saved && <p role="status">Saved.</p>}
    </Form>
  );
}
