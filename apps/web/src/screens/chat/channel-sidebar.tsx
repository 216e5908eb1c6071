// A server's channel list: loose channels, then collapsible categories; invite, create and settings buttons.
import { useMemo, useState } from 'react';
import { IconButton } from '../../icons';
import { channelPermissions, guildPermissions, has, Permission } from '../../permissions';
import { useStore } from '../../store';
import { type Channel, ChannelType, compareIds, type Guild, isForum, isThread } from '../../types';
import { GuildSettings } from '../guild-settings/dialog';
import { type MenuAt, usePressToOpen } from '../menus/context-menu';
import { ChannelMenu } from '../menus/place-menus';
import { threadPath } from '../threads/panel';
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

/**
 * A server's channel list. `current` is the channel on screen and `thread` a thread open beside it: the threads one
 * has joined that are active are nested under their channel (as on Discord), unread ones bold with their mentions.
 */
export function ChannelSidebar({
  guild,
  current,
  thread,
}: {
  guild: Guild;
  current?: string;
  thread?: string;
}) {
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

  // The active threads one has joined, by their channel.
  const joined = useMemo(() => {
    const byParent = new Map<string, Channel[]>();
    for (const t of channels)
      if (isThread(t) && t.parent_id && s.joinedThreads[t.id] && !t.thread_metadata?.archived)
        byParent.set(t.parent_id, [...(byParent.get(t.parent_id) ?? []), t]);
    for (const list of byParent.values()) list.sort((a, b) => compareIds(a.id, b.id));
    return byParent;
  }, [channels, s.joinedThreads]);

  const item = (c: Channel) => {
    if (isVoice(c)) return <VoiceChannelItem key={c.id} guild={guild} channel={c} />;
    // The channel on screen is read as it is read; a thread beside it is read in its panel.
    const open = c.id === current || c.id === thread;
    const unread = isUnread(s, c) && !open;
    const mentions = s.readStates[c.id]?.mention_count ?? 0;
    const thisThread = isThread(c);
    const to = thisThread ? threadPath(guild.id, c) : `/channels/${guild.id}/${c.id}`;
    const threads = thisThread ? [] : (joined.get(c.id) ?? []);
    return (
      <li key={c.id}>
        <a
          href={to}
          onClick={link(to)}
          {...press((at) => setMenu({ channel: c, at }))}
          className={`channel ${thisThread ? 'thread' : ''} ${open ? 'active' : ''} ${unread ? 'unread' : ''}`}
          aria-current={open ? 'page' : undefined}
          aria-label={`${c.name}${thisThread ? ', thread' : ''}${mentions ? `, ${mentions} mentions` : unread ? ', unread' : ''}`}
        >
          {!thisThread && <span aria-hidden="true">{isForum(c) ? '☰' : '#'}</span>} {c.name}
          {mentions > 0 && <span className="badge">{mentions}</span>}
        </a>
        {threads.length > 0 && (
          <ul className="channels threads" aria-label={`Threads in ${c.name}`}>
            {threads.map(item)}
          </ul>
        )}
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
