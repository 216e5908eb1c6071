// Server settings, offered only to those who may use them: overview, roles, channel permissions,
// invites, webhooks, integrations (installed bots and their commands), members, join requests (groups), reports, bans
// and the audit log. Each tab appears only with the permission it needs; each tab is a file beside this one.
import { useState } from 'react';
import { guildPermissions, has, Permission, topPosition } from '../../permissions';
import { useStore } from '../../store';
import type { Guild } from '../../types';
import { Dialog } from '../../ui';
import { AuditLog } from './audit-log';
import { Bans } from './bans';
import { ChannelOverwrites } from './channels';
import { Integrations } from './integrations';
import { Invites } from './invites';
import { JoinRequests } from './join-requests';
import { Members } from './members';
import { Overview } from './overview';
import { Reports } from './reports';
import { Roles } from './roles';
import { Webhooks } from './webhooks';

type Tab =
  | 'overview'
  | 'roles'
  | 'channels'
  | 'invites'
  | 'webhooks'
  | 'integrations'
  | 'members'
  | 'requests'
  | 'reports'
  | 'bans'
  | 'audit';

export function GuildSettings({ guild, onClose }: { guild: Guild; onClose: () => void }) {
  const me = useStore((s) => s.me!.id);
  const member = useStore((s) => s.members[guild.id]?.[me]);
  const perms = guildPermissions(guild, me, member);
  const tabs = (
    [
      ['overview', 'Overview', Permission.MANAGE_GUILD],
      ['roles', 'Roles', Permission.MANAGE_ROLES],
      ['channels', 'Channels', Permission.MANAGE_CHANNELS | Permission.MANAGE_ROLES],
      ['invites', 'Invites', Permission.MANAGE_GUILD],
      ['webhooks', 'Webhooks', Permission.MANAGE_WEBHOOKS],
      ['integrations', 'Integrations', Permission.MANAGE_GUILD],
      ['members', 'Members', Permission.KICK_MEMBERS | Permission.BAN_MEMBERS | Permission.MODERATE_MEMBERS],
      ['requests', 'Join requests', Permission.KICK_MEMBERS],
      ['reports', 'Reports', Permission.MANAGE_MESSAGES | Permission.KICK_MEMBERS],
      ['bans', 'Bans', Permission.BAN_MEMBERS],
      ['audit', 'Audit log', Permission.VIEW_AUDIT_LOG],
    ] as Array<[Tab, string, bigint]>
  )
    .filter(([, , need]) => (perms & need) !== 0n || has(perms, Permission.ADMINISTRATOR))
    // Join requests exist only for an approval-required group.
    .filter(([id]) => id !== 'requests' || guild.hearth_group?.join_mode === 'approval');
  const [tab, setTab] = useState<Tab>(tabs[0]?.[0] ?? 'overview');

  return (
    <Dialog title={`${guild.name} settings`} onClose={onClose} wide>
      <div className="tabs" role="tablist" aria-label="Settings sections">
        {tabs.map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="settings-panel">
        {tab === 'overview' && <Overview guild={guild} />}
        {tab === 'roles' && <Roles guild={guild} top={topPosition(guild, me, member)} />}
        {tab === 'channels' && <ChannelOverwrites guild={guild} />}
        {tab === 'invites' && <Invites guild={guild} />}
        {tab === 'webhooks' && <Webhooks guild={guild} />}
        {tab === 'integrations' && <Integrations guild={guild} perms={perms} />}
        {tab === 'members' && <Members guild={guild} perms={perms} />}
        {tab === 'requests' && <JoinRequests guild={guild} />}
        {tab === 'reports' && <Reports guild={guild} />}
        {tab === 'bans' && <Bans guild={guild} />}
        {tab === 'audit' && <AuditLog guild={guild} />}
      </div>
    </Dialog>
  );
}
