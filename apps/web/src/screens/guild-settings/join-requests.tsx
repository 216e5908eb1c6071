// Join requests to an approval-required group, for those who may let people in (KICK_MEMBERS, ADR 0031).
import type { GuildJoinRequest } from '@hearth/protocol';
import * as endpoints from '../../endpoints';
import { displayName, type Guild, type User } from '../../types';
import { Alert, useAction } from '../../ui';
import { useList } from './use-list';

export function JoinRequests({ guild }: { guild: Guild }) {
  const { list, error, load } = useList<GuildJoinRequest>(
    () => endpoints.listJoinRequests(guild.id).then((r) => r.guild_join_requests),
    [guild.id],
  );
  const act = useAction();
  const decide = (r: GuildJoinRequest, action: 'APPROVED' | 'REJECTED') =>
    act.run(async () => {
      await endpoints.actionJoinRequest(guild.id, r.id, { action });
      await load();
    });
  return (
    <>
      <Alert message={error ?? act.error} />
      {list?.length === 0 && <p>No one is waiting to join.</p>}
      <table aria-label="Join requests">
        <tbody>
          {list?.map((r) => {
            const who = r.user ? displayName(r.user as User) : r.user_id;
            return (
              <tr key={r.id}>
                <td>{who}</td>
                <td>{new Date(r.created_at).toLocaleString()}</td>
                <td>
                  <button
                    type="button"
                    className="primary"
                    aria-label={`Approve ${who}`}
                    onClick={() => decide(r, 'APPROVED')}
                    disabled={act.busy}
                  >
                    Approve
                  </button>{' '}
                  <button
                    type="button"
                    aria-label={`Reject ${who}`}
                    onClick={() => decide(r, 'REJECTED')}
                    disabled={act.busy}
                  >
                    Reject
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
