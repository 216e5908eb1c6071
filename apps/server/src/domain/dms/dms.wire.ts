import { type Channel, ChannelType } from '@hearth/protocol';
import type { users } from '../../store/schema';
import type { ChannelRow } from '../guilds/guild-access';
import { toPublicUser } from '../users/users.wire';

type UserRow = typeof users.$inferSelect;

/** A DM or group DM channel object as user `viewerId` sees it (the others as recipients). */
export function toDmWire(channel: ChannelRow, people: UserRow[], viewerId: string | null): Channel {
  const wire: Channel = {
    id: channel.id,
    type: channel.type,
    last_message_id: channel.lastMessageId,
    flags: channel.flags,
    recipients: people.filter((p) => p.id !== viewerId).map(toPublicUser),
  };
  if (channel.type === ChannelType.GroupDM)
    Object.assign(wire, { name: channel.name, icon: channel.icon, owner_id: channel.ownerId });
  return wire;
}
