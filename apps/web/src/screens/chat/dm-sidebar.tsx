// The direct-message list: Friends, then conversations newest first, and a new group DM.
import { useState } from 'react';
import { Icon, IconButton } from '../../icons';
import { useStore } from '../../store';
import { ChannelType, compareIds, displayName } from '../../types';
import { Avatar } from '../../ui';
import { CallMark } from './calls';
import { isUnread } from './channels';
import { GroupDmDialog } from './group-dm-dialog';
import { link } from './link';

export function DmSidebar({ current }: { current?: string }) {
  const [creating, setCreating] = useState(false);
  const channels = useStore((s) => s.channels);
  const s = useStore((x) => x);
  const requests = Object.values(s.relationships).filter((r) => r.type === 3).length;
  const me = s.me?.id;
  const dms = Object.values(channels)
    .filter((c) => c.type === ChannelType.DM || c.type === ChannelType.GroupDM)
    .sort((a, b) => compareIds(b.last_message_id ?? b.id, a.last_message_id ?? a.id));
  return (
    <>
      <header className="sidebar-head">
        <h2>Direct messages</h2>
        <div className="actions">
          <IconButton label="New group DM" icon="plus" size={18} onClick={() => setCreating(true)} />
        </div>
      </header>
      {creating && <GroupDmDialog onClose={() => setCreating(false)} />}
      <div className="scroll">
        <ul className="channels">
          <li>
            <a
              href="/channels/@me/friends"
              onClick={link('/channels/@me/friends')}
              className={`channel ${!current || current === 'friends' ? 'active' : ''}`}
              aria-current={!current || current === 'friends' ? 'page' : undefined}
              aria-label={requests ? `Friends, ${requests} pending` : undefined}
            >
              <Icon name="friends" size={18} /> Friends
              {requests > 0 && <span className="badge">{requests}</span>}
            </a>
          </li>
        </ul>
        <h3 className="category">Conversations</h3>
        <ul className="channels">
          {dms.map((c) => {
            const others = (c.recipients ?? []).filter((u) => u.id !== me);
            const name =
              c.name || others.map((u) => displayName(s.users[u.id] ?? u)).join(', ') || 'Just you';
            const mentions = s.readStates[c.id]?.mention_count ?? 0;
            const to = `/channels/@me/${c.id}`;
            return (
              <li key={c.id}>
                <a
                  href={to}
                  onClick={link(to)}
                  className={`channel dm ${c.id === current ? 'active' : ''} ${isUnread(s, c) && c.id !== current ? 'unread' : ''}`}
                  aria-current={c.id === current ? 'page' : undefined}
                >
                  <Avatar user={others[0]} size={28} /> <span className="name">{name}</span>
                  <CallMark channelId={c.id} />
                  {mentions > 0 && <span className="badge">{mentions}</span>}
                </a>
              </li>
            );
          })}
        </ul>
      </div>
    </>
  );
}
