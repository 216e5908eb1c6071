// What the signed-in user may do, computed with the same engine the server uses, so the app offers
// only what will be allowed. The server decides; this only hides what it would refuse.
import {
  computeBasePermissions,
  computeChannelPermissions,
  type GuildData,
  Permission,
} from '@hearth/permissions';
import { getState } from './store';
import { type Channel, type Guild, isThread, type Member } from './types';

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
  // A thread has no overwrites of its own: its parent's decide.
  const parent = isThread(c) && c.parent_id ? getState().channels[c.parent_id] : undefined;
  if (parent) return channelPermissions(g, parent, userId, member);
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

/** The position of the user's highest role (the owner ranks above every role); roles below it are theirs to manage. */
export function topPosition(g: Guild, userId: string, member: Member | undefined): number {
  if (g.owner_id === userId) return Number.POSITIVE_INFINITY;
  const mine = new Set(member?.roles ?? []);
  return Math.max(0, ...g.roles.filter((r) => mine.has(r.id)).map((r) => r.position));
}
