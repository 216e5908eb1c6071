// Channels: pick a channel and a role or member; edit the channel and that target's overwrite.
import { useState } from 'react';
import { channelPermissions, has, Permission } from '../../permissions';
import { useStore } from '../../store';
import { ChannelType, displayName, type Guild } from '../../types';
import { ChannelEditor } from './channel-editor';
import { OverwriteEditor } from './overwrite-editor';

export function ChannelOverwrites({ guild }: { guild: Guild }) {
  const all = useStore((s) => s.channels);
  const me = useStore((s) => s.me!.id);
  const member = useStore((s) => s.members[guild.id]?.[me]);
  const channels = Object.values(all)
    .filter((c) => c.guild_id === guild.id)
    .filter((c) => {
      const p = channelPermissions(guild, c, me, member);
      return has(p, Permission.MANAGE_CHANNELS) || has(p, Permission.MANAGE_ROLES);
    })
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const [channelId, setChannelId] = useState(channels[0]?.id ?? '');
  const [target, setTarget] = useState(guild.id);
  const members = useStore((s) => s.members[guild.id]);
  const channel = all[channelId];
  const roles = [...guild.roles].sort((a, b) => b.position - a.position);
  return (
    <>
      <div className="row">
        <div className="field">
          <label htmlFor="ow-channel">Channel</label>
          <select id="ow-channel" value={channelId} onChange={(e) => setChannelId(e.target.value)}>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.type === ChannelType.GuildCategory ? `${c.name} (category)` : `#${c.name}`}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ow-role">Role or member</label>
          <select id="ow-role" value={target} onChange={(e) => setTarget(e.target.value)}>
            <optgroup label="Roles">
              {roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.id === guild.id ? '@everyone' : r.name}
                </option>
              ))}
            </optgroup>
            <optgroup label="Members">
              {Object.values(members ?? {}).map((m) => (
                <option key={m.user!.id} value={m.user!.id}>
                  {displayName(m.user, m)}
                </option>
              ))}
            </optgroup>
          </select>
        </div>
      </div>
      {channel && has(channelPermissions(guild, channel, me, member), Permission.MANAGE_CHANNELS) && (
        <ChannelEditor key={channel.id} channel={channel} />
      )}
      {channel && has(channelPermissions(guild, channel, me, member), Permission.MANAGE_ROLES) && (
        <OverwriteEditor
          key={`${channel.id}-${target}`}
          channel={channel}
          targetId={target}
          type={guild.roles.some((r) => r.id === target) ? 0 : 1}
        />
      )}
    </>
  );
}
