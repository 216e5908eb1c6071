// Context menus of places, as on Discord: a channel in the sidebar (mark as read, mute, notification settings,
// invite, edit and delete with Manage Channels, copy its link and id) and a server in the rail (mark as read, mute,
// notification settings, invite, settings, copy its id, leave). The server decides every action; the menus offer
// what the person's permissions allow.
import { useEffect, useState } from 'react';
import * as endpoints from '../../endpoints';
import { mutedNow } from '../../notify';
import { channelPermissions, guildPermissions, has, Permission } from '../../permissions';
import { navigate } from '../../router';
import { getState, useStore } from '../../store';
import { type Channel, ChannelType, type Guild, isThread } from '../../types';
import { ConfirmDialog, Dialog } from '../../ui';
import { isUnread, visibleChannels } from '../chat/channels';
import { InviteDialog } from '../chat/invite-dialog';
import { ChannelEditor } from '../guild-settings/channel-editor';
import { GuildSettings } from '../guild-settings/dialog';
import { NotificationSettings } from '../messages/notification-settings';
import { threadPath } from '../threads/panel';
import { ContextMenu, copyText, type MenuAt, type MenuItem } from './context-menu';

/** Marks channels read up to their newest message (at most 100 acknowledgements for one server). */
function markRead(channels: Channel[]): void {
  const s = getState();
  for (const c of channels.filter((c) => isUnread(s, c)).slice(0, 100))
    if (c.last_message_id) endpoints.ack(c.id, c.last_message_id).catch(() => {});
}

/**
 * The menu closes before the item chosen runs (context-menu.tsx): an item that opens a dialog replaces 'gone' in the
 * same batch; otherwise the owner is told the menu is done.
 */
function useGone(shown: string, onClose: () => void): void {
  useEffect(() => {
    if (shown === 'gone') onClose();
  }, [shown, onClose]);
}

const appUrl = (path: string) => `${location.origin}${path}`;

export function ChannelMenu(props: { guild: Guild; channel: Channel; at: MenuAt; onClose: () => void }) {
  const { guild, channel } = props;
  const [shown, setShown] = useState<'menu' | 'gone' | 'notify' | 'invite' | 'edit' | 'delete'>('menu');
  useGone(shown, props.onClose);
  const me = useStore((s) => s.me?.id ?? '');
  const member = useStore((s) => s.members[guild.id]?.[me]);
  const unread = useStore((s) => isUnread(s, channel));
  const override = useStore((s) =>
    s.guildSettings[guild.id]?.channel_overrides.find((o) => o.channel_id === channel.id),
  );
  const perms = channelPermissions(guild, channel, me, member);
  const manage = has(perms, Permission.MANAGE_CHANNELS);
  const muted = !!override && mutedNow(override.muted, override.mute_config);
  const thread = isThread(channel);
  const path = thread ? threadPath(guild.id, channel) : `/channels/${guild.id}/${channel.id}`;
  const close = () => props.onClose();
  const items: MenuItem[] = [
    { label: 'Mark as read', hidden: !unread, onSelect: () => markRead([channel]) },
    {
      label: muted ? 'Unmute channel' : 'Mute channel',
      onSelect: () =>
        endpoints
          .modifyGuildSettings(guild.id, { channel_overrides: { [channel.id]: { muted: !muted } } })
          .catch(() => {}),
    },
    { label: 'Notification settings', onSelect: () => setShown('notify') },
    'separator',
    {
      label: 'Invite people',
      hidden: channel.type !== ChannelType.GuildText || !has(perms, Permission.CREATE_INSTANT_INVITE),
      onSelect: () => setShown('invite'),
    },
    // A thread in the channel list is one joined: leaving takes it out of the list.
    {
      label: 'Leave Thread',
      hidden: !thread,
      danger: true,
      onSelect: () => endpoints.leaveThread(channel.id).catch(() => {}),
    },
    { label: 'Edit channel', hidden: !manage || thread, onSelect: () => setShown('edit') },
    { label: 'Delete channel', danger: true, hidden: !manage || thread, onSelect: () => setShown('delete') },
    'separator',
    { label: 'Copy link', onSelect: () => copyText(appUrl(path)) },
    { label: 'Copy channel ID', onSelect: () => copyText(channel.id) },
  ];
  if (shown === 'menu')
    return (
      <ContextMenu
        at={props.at}
        label={`Actions for #${channel.name}`}
        items={items}
        onClose={() => setShown('gone')}
      />
    );
  if (shown === 'gone') return null;
  if (shown === 'notify') return <NotificationSettings guild={guild} channel={channel} onClose={close} />;
  if (shown === 'invite') return <InviteDialog channel={channel} onClose={close} />;
  if (shown === 'edit')
    return (
      <Dialog title={`Edit #${channel.name}`} onClose={close}>
        <ChannelEditor channel={channel} />
      </Dialog>
    );
  return (
    <ConfirmDialog
      title="Delete channel"
      confirm="Delete"
      onConfirm={() => {
        close();
        endpoints.deleteChannel(channel.id).catch(() => {});
      }}
      onClose={close}
    >
      <p>{`Delete #${channel.name}? Its messages go with it; this cannot be undone.`}</p>
    </ConfirmDialog>
  );
}

export function GuildMenu(props: { guild: Guild; at: MenuAt; onClose: () => void }) {
  const { guild } = props;
  const [shown, setShown] = useState<'menu' | 'gone' | 'notify' | 'invite' | 'settings' | 'leave'>('menu');
  useGone(shown, props.onClose);
  const s = useStore((x) => x);
  const me = s.me?.id ?? '';
  const member = s.members[guild.id]?.[me];
  const channels = visibleChannels(s, guild).filter((c) => c.type !== ChannelType.GuildCategory);
  const settings = s.guildSettings[guild.id];
  const muted = !!settings && mutedNow(settings.muted, settings.mute_config);
  const perms = guildPermissions(guild, me, member);
  const text = channels.find((c) => c.type === ChannelType.GuildText);
  const inviteChannel = channels.find(
    (c) =>
      c.type === ChannelType.GuildText &&
      has(channelPermissions(guild, c, me, member), Permission.CREATE_INSTANT_INVITE),
  );
  const canSettings = [
    Permission.MANAGE_GUILD,
    Permission.MANAGE_ROLES,
    Permission.KICK_MEMBERS,
    Permission.BAN_MEMBERS,
    Permission.VIEW_AUDIT_LOG,
    Permission.MANAGE_CHANNELS,
  ].some((p) => has(perms, p));
  const close = () => props.onClose();
  const items: MenuItem[] = [
    {
      label: 'Mark as read',
      hidden: !channels.some((c) => isUnread(s, c)),
      onSelect: () => markRead(channels),
    },
    {
      label: muted ? 'Unmute server' : 'Mute server',
      onSelect: () => endpoints.modifyGuildSettings(guild.id, { muted: !muted }).catch(() => {}),
    },
    { label: 'Notification settings', hidden: !text, onSelect: () => setShown('notify') },
    'separator',
    { label: 'Invite people', hidden: !inviteChannel, onSelect: () => setShown('invite') },
    { label: 'Server settings', hidden: !canSettings, onSelect: () => setShown('settings') },
    { label: 'Copy server ID', onSelect: () => copyText(guild.id) },
    'separator',
    { label: 'Leave server', danger: true, hidden: guild.owner_id === me, onSelect: () => setShown('leave') },
  ];
  if (shown === 'menu')
    return (
      <ContextMenu
        at={props.at}
        label={`Actions for ${guild.name}`}
        items={items}
        onClose={() => setShown('gone')}
      />
    );
  if (shown === 'gone') return null;
  if (shown === 'notify' && text)
    return <NotificationSettings guild={guild} channel={text} onClose={close} />;
  if (shown === 'invite' && inviteChannel) return <InviteDialog channel={inviteChannel} onClose={close} />;
  if (shown === 'settings') return <GuildSettings guild={guild} onClose={close} />;
  return (
    <ConfirmDialog
      title={`Leave ${guild.name}`}
      confirm="Leave server"
      onConfirm={() => {
        close();
        endpoints.leaveGuild(guild.id).then(
          () => navigate('/channels/@me'),
          () => {},
        );
      }}
      onClose={close}
    >
      <p>{`Leave ${guild.name}? You can only come back with a new invite.`}</p>
    </ConfirmDialog>
  );
}
