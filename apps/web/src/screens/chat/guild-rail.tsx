// The rail of servers: Home (DMs) with its mention badge, each server with its unread state, and Add.
import { useState } from 'react';
import { Icon } from '../../icons';
import { useSocialUnread } from '../../social-badge';
import { useStore } from '../../store';
import { ChannelType } from '../../types';
import { type MenuAt, usePressToOpen } from '../menus/context-menu';
import { GuildMenu } from '../menus/place-menus';
import { AddGuildDialog } from './add-guild';
import { isUnread, visibleChannels } from './channels';
import { link } from './link';

export function GuildRail({ current }: { current: string }) {
  const order = useStore((s) => s.guildOrder);
  const guilds = useStore((s) => s.guilds);
  const s = useStore((x) => x);
  const [adding, setAdding] = useState(false);
  // A server's context menu (right-click, the menu key, a long press on Android).
  const [menu, setMenu] = useState<{ guildId: string; at: MenuAt } | null>(null);
  const press = usePressToOpen();
  const socialUnread = useSocialUnread();
  const dmMentions = Object.values(s.channels)
    .filter((c) => c.type === ChannelType.DM || c.type === ChannelType.GroupDM)
    .reduce((n, c) => n + (s.readStates[c.id]?.mention_count ?? 0), 0);
  // Incoming friend requests count on Home too, as Discord's do.
  const requests = Object.values(s.relationships).filter((r) => r.type === 3).length;
  const homeBadge = dmMentions + requests;
  return (
    <nav className="rail" aria-label="Servers">
      <a
        href="/channels/@me"
        onClick={link('/channels/@me')}
        className={`rail-item home ${current === '@me' ? 'active' : ''}`}
        aria-label={`Direct messages${dmMentions ? `, ${dmMentions} unread` : ''}${requests ? `, ${requests} friend ${requests === 1 ? 'request' : 'requests'}` : ''}`}
        aria-current={current === '@me' ? 'page' : undefined}
      >
        <Icon name="home" size={24} />
        {homeBadge > 0 && <span className="badge">{homeBadge}</span>}
      </a>
      <a
        href="/social"
        onClick={link('/social')}
        className={`rail-item ${current === 'social' ? 'active' : ''}`}
        aria-label={`Home feed${socialUnread ? `, ${socialUnread} unread notifications` : ''}`}
        aria-current={current === 'social' ? 'page' : undefined}
        title="Home feed"
      >
        <Icon name="feed" size={24} />
        {socialUnread > 0 && <span className="badge">{socialUnread}</span>}
      </a>
      <hr />
      {order.map((id) => {
        const g = guilds[id];
        if (!g) return null;
        const chans = visibleChannels(s, g).filter((c) => c.type !== ChannelType.GuildCategory);
        const unread = chans.some((c) => isUnread(s, c));
        const mentions = chans.reduce((n, c) => n + (s.readStates[c.id]?.mention_count ?? 0), 0);
        // The server itself: a phone shows its channel list, a desktop opens its last or first channel.
        const to = `/channels/${g.id}`;
        return (
          <a
            key={id}
            href={to}
            onClick={link(to)}
            {...press((at) => setMenu({ guildId: g.id, at }))}
            className={`rail-item ${current === id ? 'active' : ''} ${unread ? 'unread' : ''}`}
            aria-label={`${g.name}${mentions ? `, ${mentions} mentions` : unread ? ', unread' : ''}`}
            aria-current={current === id ? 'page' : undefined}
            title={g.name}
          >
            {g.icon ? (
              <img src={`/icons/${g.id}/${g.icon}.png`} alt="" />
            ) : (
              <span aria-hidden="true">{initials(g.name)}</span>
            )}
            {mentions > 0 && <span className="badge">{mentions}</span>}
          </a>
        );
      })}
      <a
        href="/groups"
        onClick={link('/groups')}
        className="rail-item"
        aria-label="Find groups"
        title="Find groups"
      >
        <Icon name="globe" size={22} />
      </a>
      <button
        type="button"
        className="rail-item add"
        aria-label="Add a server"
        onClick={() => setAdding(true)}
      >
        +
      </button>
      {adding && <AddGuildDialog onClose={() => setAdding(false)} />}
      {menu && guilds[menu.guildId] && (
        <GuildMenu guild={guilds[menu.guildId]!} at={menu.at} onClose={() => setMenu(null)} />
      )}
    </nav>
  );
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 3)
    .map((w) => [...w][0])
    .join('');
