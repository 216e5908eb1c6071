import type { AuditLogRow } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { useStore } from '../../store';
import { displayName, type Guild } from '../../types';
import { Alert } from '../../ui';
import { useList } from './use-list';

/** Discord's audit log action types, by number, for the ones Hearth records most. */
const actions: Record<number, string> = {
  1: 'updated the server',
  10: 'created a channel',
  11: 'updated a channel',
  12: 'deleted a channel',
  13: 'created a permission overwrite',
  14: 'updated a permission overwrite',
  15: 'deleted a permission overwrite',
  20: 'kicked a member',
  22: 'banned a member',
  23: 'unbanned a member',
  24: 'updated a member',
  25: 'updated member roles',
  30: 'created a role',
  31: 'updated a role',
  32: 'deleted a role',
  40: 'created an invite',
  42: 'deleted an invite',
  72: 'deleted a message',
};

export function AuditLog({ guild }: { guild: Guild }) {
  const users = useStore((s) => s.users);
  const { list, error } = useList<AuditLogRow>(
    () => endpoints.getAuditLog(guild.id, 50).then((r) => r.audit_log_entries),
    [guild.id],
  );
  return (
    <>
      <Alert message={error} />
      <ol className="audit">
        {list?.map((e) => (
          <li key={e.id}>
            <strong>{e.user_id ? displayName(users[e.user_id]) : 'System'}</strong>{' '}
            {actions[e.action_type] ?? `action ${e.action_type}`}
            {e.reason && <span className="muted"> — {e.reason}</span>}
          </li>
        ))}
      </ol>
    </>
  );
}
