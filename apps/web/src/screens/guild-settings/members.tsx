// Members: edit nickname and roles, time out, kick and ban (each only with its permission).
import { useState } from 'react';
import * as endpoints from '../../endpoints';
import { has, Permission } from '../../permissions';
import { useStore } from '../../store';
import { displayName, type Guild, type Member, type User } from '../../types';
import { Alert, useAction } from '../../ui';
import { MemberEditor } from './member-editor';
import { RemoveMember } from './remove-member';

export function Members({ guild, perms }: { guild: Guild; perms: bigint }) {
  const members = useStore((s) => s.members[guild.id]);
  const me = useStore((s) => s.me!.id);
  const [editing, setEditing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<{ member: Member & { user: User }; ban: boolean } | null>(null);
  const act = useAction();
  const list = Object.values(members ?? {}).filter((m): m is Member & { user: User } => !!m.user);
  const may = (bit: bigint) => has(perms, Permission.ADMINISTRATOR) || has(perms, bit);
  const editable = may(Permission.MANAGE_NICKNAMES) || may(Permission.MANAGE_ROLES);
  return (
    <>
      <table>
        <tbody>
          {list.map((m) => (
            <tr key={m.user.id}>
              <td>{displayName(m.user, m)}</td>
              <td className="muted">@{m.user.username}</td>
              <td className="row">
                {editable && (
                  <button type="button" onClick={() => setEditing(m.user.id)}>
                    Edit
                  </button>
                )}
                {m.user.id !== me && m.user.id !== guild.owner_id && (
                  <>
                    {may(Permission.MODERATE_MEMBERS) && (
                      <button
                        type="button"
                        onClick={() =>
                          act.run(() =>
                            endpoints.modifyMember(guild.id, m.user.id, {
                              communication_disabled_until: new Date(Date.now() + 10 * 60_000).toISOString(),
                            }),
                          )
                        }
                      >
                        Time out 10 min
                      </button>
                    )}
                    {may(Permission.KICK_MEMBERS) && (
                      <button type="button" onClick={() => setRemoving({ member: m, ban: false })}>
                        Kick
                      </button>
                    )}
                    {may(Permission.BAN_MEMBERS) && (
                      <button
                        type="button"
                        className="danger"
                        onClick={() => setRemoving({ member: m, ban: true })}
                      >
                        Ban
                      </button>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Alert message={act.error} />
      {removing && (
        <RemoveMember
          guild={guild}
          member={removing.member}
          ban={removing.ban}
          onClose={() => setRemoving(null)}
        />
      )}
      {editing && members?.[editing] && (
        <MemberEditor
          key={editing}
          guild={guild}
          member={members[editing]}
          nick={may(Permission.MANAGE_NICKNAMES)}
          roles={may(Permission.MANAGE_ROLES)}
        />
      )}
    </>
  );
}
