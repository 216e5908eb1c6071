// Members' reports of messages, for moderators (MANAGE_MESSAGES or KICK_MEMBERS): what was said, who reported it
// and why; resolving or dismissing one takes it off the list. Removing the message is done where it is.
import type { MessageReport } from '@hearth/protocol';
import { useEffect } from 'react';
import * as endpoints from '../../endpoints';
import { useStore } from '../../store';
import { displayName, type Guild, type User } from '../../types';
import { Alert, useAction } from '../../ui';
import { link } from '../chat/link';
import { useList } from './use-list';

export function Reports({ guild }: { guild: Guild }) {
  const { list, error, load } = useList<MessageReport>(() => endpoints.listReports(guild.id), [guild.id]);
  const act = useAction();
  // A report filed or closed by someone else comes as a gateway event: the list follows it.
  const events = useStore((s) => s.reportEvents[guild.id] ?? 0);
  useEffect(() => {
    if (events) load();
  }, [events, load]);
  const close = (r: MessageReport, status: 'resolved' | 'dismissed') =>
    act.run(async () => {
      await endpoints.updateReport(guild.id, r.id, status);
      await load();
    });
  return (
    <>
      <Alert message={error ?? act.error} />
      {list?.length === 0 && <p>No open reports.</p>}
      <table aria-label="Reports">
        <tbody>
          {list?.map((r) => (
            <tr key={r.id}>
              <td>{r.content ?? <em>deleted</em>}</td>
              <td>
                {r.reason}
                <br />
                <span className="muted">by {r.reporter ? displayName(r.reporter as User) : 'someone'}</span>
              </td>
              <td>
                <a
                  href={`/channels/${guild.id}/${r.channel_id}`}
                  onClick={link(`/channels/${guild.id}/${r.channel_id}`)}
                >
                  Open
                </a>{' '}
                <button type="button" disabled={act.busy} onClick={() => close(r, 'resolved')}>
                  Resolve
                </button>{' '}
                <button type="button" disabled={act.busy} onClick={() => close(r, 'dismissed')}>
                  Dismiss
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
