// A server's channel list: loose channels, then collapsible categories; invite, create and settings buttons.
import { useMemo, useState } from 'react';
import { IconButton } from '../../icons';
import { channelPermissions, guildPermissions, has, Permission } from '../../permissions';
import { useStore } from '../../store';
import { type Channel, ChannelType, type Guild, isForum } from '../../types';
import { GuildSettings } from '../guild-settings/dialog';
import { type MenuAt, usePressToOpen } from '../menus/context-menu';
import { ChannelMenu } from '../menus/place-menus';
import { isUnread, visibleChannels } from './channels';
import { CreateChannelDialog } from './create-channel';
import { InviteDialog } from './invite-dialog';
import { link } from './link';
import { isVoice, VoiceChannelItem } from './voice';

/** The categories collapsed in one guild, kept in this browser across reloads. */
function useCollapsed(guildId: string): [Set<string>, (categoryId: string) => void] {
  const key = `hearth.collapsed.${guildId}`;
  const read = () => {
    try {
      const ids: unknown = JSON.parse(localStorage.getItem(key) ?? '[]');
      return new Set(Array.isArray(ids) ? ids.filter((id) => typeof id === 'string') : []);
    } catch {
      return new Set<string>();
    }
  };
  const [collapsed, setCollapsed] = useState(read);
  const [heldKey, setHeldKey] = useState(key);
  if (heldKey !== key) {
    setHeldKey(key);
    setCollapsed(read());
  }
  const toggle = (id: string) => {
    const next = new Set(collapsed);
    if (!next.delete(id)) next.add(id);
    localStorage.setItem(key, JSON.stringify([...next]));
    setCollapsed(next);
  };
  return [collapsed, toggle];
}

export function ChannelSidebar({ guild, current }: { guild: Guild; current?: string }) {
  const s = useStore((x) => x);
  const [collapsed, toggleCategory] = useCollapsed(guild.id);
  const me = s.me?.id ?? '';
  const [dialog, setDialog] = useState<'invite' | 'settings' | 'channel' | null>(null);
  // A channel's context menu (right-click, the menu key, a long press on a touch screen).
  const [menu, setMenu] = useState<{ channel: Channel; at: MenuAt } | null>(null);
  const press = usePressToOpen();
  const channels = useMemo(() => visibleChannels(s, guild), [s, guild]);
  const perms = guildPermissions(guild, me, s.members[guild.id]?.[me]);
  const canSettings =
    has(perms, Permission.MANAGE_GUILD) ||
    has(perms, Permission.MANAGE_ROLES) ||
    has(perms, Permission.KICK_MEMBERS) ||
    has(perms, Permission.BAN_MEMBERS) ||
    has(perms, Permission.VIEW_AUDIT_LOG) ||
    has(perms, Permission.MANAGE_CHANNELS);
  const categories = channels.filter((c) => c.type === ChannelType.GuildCategory);
  const loose = channels.filter(
    (c) => c.type !== ChannelType.GuildCategory && !channels.some((p) => p.id === c.parent_id),
  );
  const inviteChannel = channels.find(
    (c) =>
      c.type === ChannelType.GuildText &&
      has(channelPermissions(guild, c, me, s.members[guild.id]?.[me]), Permission.CREATE_INSTANT_INVITE),
  );

  const item = (c: Channel) => {
    if (isVoice(c)) return <VoiceChannelItem key={c.id} guild={guild} channel={c} />;
    const unread = isUnread(s, c) && c.id !== current;
    const mentions = s.readStates[c.id]?.mention_count ?? 0;
    const to = `/channels/${guild.id}/${c.id}`;
    return (
      <li key={c.id}>
        <a
          href={to}
          onClick={link(to)}
          {...press((at) => setMenu({ channel: c, at }))}
          className={`channel ${c.id === current ? 'active' : ''} ${unread ? 'unread' : ''}`}
          aria-current={c.id === current ? 'page' : undefined}
          aria-label={`${c.name}${mentions ? `, ${mentions} mentions` : unread ? ', unread' : ''}`}
        >
          <span aria-hidden="true">{isForum(c) ? '☰' : '#'}</span> {c.name}
          {mentions > 0 && <span className="badge">{mentions}</span>}
        </a>
      </li>
    );
  };

  return (
    <>
      <header className="sidebar-head">
        <h2>{guild.name}</h2>
        <div className="actions">
          {inviteChannel && (
            <IconButton label="Invite people" icon="mail" size={18} onClick={() => setDialog('invite')} />
          )}
          {has(perms, Permission.MANAGE_CHANNELS) && (
            <IconButton label="Create channel" icon="plus" size={18} onClick={() => setDialog('channel')} />
          )}
          {canSettings && (
            <IconButton label="Server settings" icon="gear" size={18} onClick={() => setDialog('settings')} />
          )}
        </div>
      </header>
      <div className="scroll">
        <ul className="channels">{loose.map(item)}</ul>
        {categories.map((cat) => {
          const shut = collapsed.has(cat.id);
          // A collapsed category still shows the channel you are in, as Discord does.
          const inside = channels.filter((c) => c.parent_id === cat.id && (!shut || c.id === current));
          return (
            <section key={cat.id} aria-label={cat.name ?? 'Category'}>
              <h3 className="category">
                <button
                  type="button"
                  aria-expanded={!shut}
                  aria-controls={`category-${cat.id}`}
                  onClick={() => toggleCategory(cat.id)}
                >
                  <span aria-hidden="true" className="chevron">
                    {shut ? '▸' : '▾'}
                  </span>{' '}
                  {cat.name}
                </button>
              </h3>
              <ul className="channels" id={`category-${cat.id}`}>
                {inside.map(item)}
              </ul>
            </section>
          );
        })}
      </div>
      {dialog === 'invite' && inviteChannel && (
        <InviteDialog channel={inviteChannel} onClose={() => setDialog(null)} />
      )}
      {dialog === 'channel' && (
        <CreateChannelDialog guild={guild} categories={categories} onClose={() => setDialog(null)} />
      )}
      {dialog === 'settings' && <GuildSettings guild={guild} onClose={() => setDialog(null)} />}
      {menu && (
        <ChannelMenu guild={guild} channel={menu.channel} at={menu.at} onClose={() => setMenu(null)} />
      )}
    </>
  );
}
