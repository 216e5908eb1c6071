// The signed-in user at the foot of the sidebar: avatar, name, status and a way to settings.
import { useState } from 'react';
import { Icon } from '../../icons';
import { currentStatus, setStatus } from '../../session';
import { useStore } from '../../store';
import { displayName } from '../../types';
import { Avatar } from '../../ui';
import { link } from './link';

export function UserPanel() {
  const me = useStore((s) => s.me);
  const [status, setStatusValue] = useState(currentStatus);
  if (!me) return null;
  return (
    <footer className="user-panel">
      <Avatar user={me} size={32} />
      <div className="who">
        <span className="name">{displayName(me)}</span>
        <label htmlFor="my-status" className="sr-only">
          Status
        </label>
        <select
          id="my-status"
          className="status-select"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value);
            setStatusValue(e.target.value);
          }}
        >
          <option value="online">Online</option>
          <option value="idle">Idle</option>
          <option value="dnd">Do not disturb</option>
          <option value="invisible">Invisible</option>
        </select>
      </div>
      <a
        href="/settings"
        onClick={link('/settings')}
        className="icon"
        aria-label="User settings"
        title="User settings"
      >
        <Icon name="gear" size={18} />
      </a>
    </footer>
  );
}
