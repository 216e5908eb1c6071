import { hasPermission, Permission } from './bits';

/** One command permission overwrite: a role (1), a user (2) or a channel (3), allowed or not. */
export interface CommandOverwrite {
  id: string;
  type: number;
  permission: boolean;
}

export interface CommandUseInput {
  guildId: string;
  userId: string;
  /** The member's roles (without @everyone). */
  roleIds: readonly string[];
  /** The member's guild-level permissions (computeBasePermissions). */
  permissions: bigint;
  /** The channel where the command would run (a thread's parent); null to decide for the guild as a whole. */
  channelId: string | null;
  /** The command's `default_member_permissions`: null lets everyone, 0 only administrators. */
  defaultMemberPermissions: bigint | null;
  /** The overwrites of this command in the guild, and of the whole application (command id = application id). */
  command: readonly CommandOverwrite[];
  app: readonly CommandOverwrite[];
}

const ROLE = 1;
const USER = 2;
const CHANNEL = 3;

/**
 * Whether a member may use an application command, by Discord's command permissions (v2): administrators always may;
 * a channel overwrite (this channel, else all channels — id guild_id − 1; the command's, else the application's) that
 * says no forbids it; then the command's own user, role or @everyone (id guild_id) overwrite decides outright, else the
 * application's does when it says no, and otherwise the member must hold `default_member_permissions`.
 */
export function canUseCommand(input: CommandUseInput): boolean {
  if (hasPermission(input.permissions, Permission.ADMINISTRATOR)) return true;
  if (input.channelId !== null && channelVerdict(input, input.channelId) === false) return false;
  const own = memberVerdict(input, input.command);
  if (own !== null) return own;
  if (memberVerdict(input, input.app) === false) return false;
  const needed = input.defaultMemberPermissions;
  return needed === null || (needed !== 0n && hasPermission(input.permissions, needed));
}

/** The channel overwrites that decide for `channelId`, or null when none does. */
function channelVerdict(input: CommandUseInput, channelId: string): boolean | null {
  const allChannels = (BigInt(input.guildId) - 1n).toString();
  for (const list of [input.command, input.app]) {
    const exact = list.find((o) => o.type === CHANNEL && o.id === channelId);
    if (exact) return exact.permission;
    const all = list.find((o) => o.type === CHANNEL && o.id === allChannels);
    if (all) return all.permission;
  }
  return null;
}

/**
 * What one list of overwrites says of the member: their own user overwrite, else their roles' (one that allows wins
 * over one that denies), else @everyone's; null when none applies.
 */
function memberVerdict(input: CommandUseInput, list: readonly CommandOverwrite[]): boolean | null {
  const user = list.find((o) => o.type === USER && o.id === input.userId);
  if (user) return user.permission;
  const mine = new Set(input.roleIds);
  const roles = list.filter((o) => o.type === ROLE && mine.has(o.id));
  if (roles.length) return roles.some((o) => o.permission);
  const everyone = list.find((o) => o.type === ROLE && o.id === input.guildId);
  return everyone ? everyone.permission : null;
}
