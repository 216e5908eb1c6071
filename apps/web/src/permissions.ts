// What the signed-in user may do, computed with the same engine the server uses, so the app offers
// only what will be allowed. The server decides; this only hides what it would refuse.
import {
  computeBasePermissions,
  computeChannelPermissions,
  type GuildData,
  Permission,
} from '@hearth/permissions';
import type { Channel, Guild, Member } from './types';

export { Permission };

function guildData(g: Guild): GuildData {
  return {
    id: g.id,
    ownerId: g.owner_id,
    roles: g.roles.map((r) => ({ id: r.id, permissions: BigInt(r.permissions), position: r.position })),
  };
}

function memberData(userId: string, m: Member | undefined) {
  return {
    userId,
    roleIds: m?.roles ?? [],
    communicationDisabledUntil: m?.communication_disabled_until ?? null,
  };
}

export function guildPermissions(g: Guild, userId: string, member: Member | undefined): bigint {
  return computeBasePermissions(guildData(g), memberData(userId, member));
}

export function channelPermissions(g: Guild, c: Channel, userId: string, member: Member | undefined): bigint {
  return computeChannelPermissions(
    guildData(g),
    memberData(userId, member),
    (c.permission_overwrites ?? []).map((o) => ({
      id: o.id,
      type: o.type,
      allow: BigInt(o.allow),
      deny: BigInt(o.deny),
    })),
  );
}

export const has = (perms: bigint, bit: bigint) => (perms & bit) === bit;
