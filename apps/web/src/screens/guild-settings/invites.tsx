import type { InviteRow } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { displayName, type Guild } from '../../types';
import { Alert, useAction } from '../../ui';
import { useList } from './use-list';

export function Invites({ guild }: { guild: Guild }) {
  const { list, error, load } = useList<InviteRow>(() => endpoints.listGuildInvites(guild.id), [guild.id]);
  const act = useAction();
  return (
    <>
      <Alert message={error} />
      {list?.length === 0 && <p>No invites.</p>}
      <table>
        <tbody>
          {list?.map((i) => (
            <tr key={i.code}>
              <td>
                <code>{i.code}</code>
              </td>
              <td>#{i.channel?.name}</td>
              <td>{i.inviter ? displayName(i.inviter) : ''}</td>
              <td>
                {i.uses ?? 0}
                {i.max_uses ? ` / ${i.max_uses}` : ''} uses
              </td>
              <td>{i.expires_at ? `expires ${new Date(i.expires_at).toLocaleString()}` : 'never expires'}</td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    act.run(async () => {
                      await endpoints.deleteInvite(i.code);
                      await load();
                    })
                  }
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Alert message={act.error} />
    </>
  );
}
