import type { BanRow } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { displayName, type Guild } from '../../types';
import { Alert, useAction } from '../../ui';
import { useList } from './use-list';

export function Bans({ guild }: { guild: Guild }) {
  const { list, error, load } = useList<BanRow>(() => endpoints.listBans(guild.id), [guild.id]);
  const act = useAction();
  return (
    <>
      <Alert message={error} />
      {list?.length === 0 && <p>Nobody is banned.</p>}
      <table>
        <tbody>
          {list?.map((b) => (
            <tr key={b.user.id}>
              <td>{displayName(b.user)}</td>
              <td>{b.reason ?? ''}</td>
              <td>
                <button
                  type="button"
                  onClick={() =>
                    act.run(async () => {
                      await endpoints.unban(guild.id, b.user.id);
                      await load();
                    })
                  }
                >
                  Unban
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
