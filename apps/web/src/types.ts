// The Discord-shaped wire objects the app reads (only the fields it uses).

export interface User {
  id: string;
  username: string;
  global_name?: string | null;
  avatar?: string | null;
  banner?: string | null;
  bio?: string | null;
  bot?: boolean;
  email?: string | null;
  verified?: boolean;
}

export interface Role {
  id: string;
  name: string;
  color: number;
  hoist: boolean;
  position: number;
  permissions: string;
  managed?: boolean;
  mentionable?: boolean;
}

export interface Overwrite {
  id: string;
  type: 0 | 1;
  allow: string;
  deny: string;
}

export interface Channel {
  id: string;
  type: number;
  guild_id?: string;
  name?: string | null;
  topic?: string | null;
  rate_limit_per_user?: number;
  position?: number;
  parent_id?: string | null;
  permission_overwrites?: Overwrite[];
  last_message_id?: string | null;
  recipients?: User[];
  owner_id?: string;
}

export interface Member {
  user?: User;
  nick?: string | null;
  roles: string[];
  joined_at?: string;
  communication_disabled_until?: string | null;
}

export interface Guild {
  id: string;
  name: string;
  icon?: string | null;
  owner_id: string;
  system_channel_id?: string | null;
  roles: Role[];
  emojis?: Array<{ id: string; name: string; animated?: boolean }>;
}

export interface Attachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url?: string;
  content_type?: string;
  width?: number | null;
  height?: number | null;
}

export interface Reaction {
  count: number;
  me: boolean;
  emoji: { id: string | null; name: string | null };
}

export interface Message {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: User;
  member?: Member;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  mentions: User[];
  mention_roles: string[];
  mention_everyone: boolean;
  attachments: Attachment[];
  reactions?: Reaction[];
  pinned?: boolean;
  type: number;
  nonce?: string | number | null;
  message_reference?: { message_id?: string; channel_id?: string } | null;
  referenced_message?: Message | null;
}

export interface Relationship {
  id: string;
  /** 1 friend, 2 blocked, 3 incoming request, 4 outgoing request. */
  type: number;
  user: User;
}

export interface ReadState {
  id: string;
  last_message_id: string | null;
  mention_count: number;
}

// The values of @hearth/protocol's ChannelType, copied because importing the protocol package pulls
// its TypeBox schemas (~50 KB) into the bundle.
export const ChannelType = {
  GuildText: 0,
  DM: 1,
  GuildVoice: 2,
  GroupDM: 3,
  GuildCategory: 4,
  GuildAnnouncement: 5,
  GuildStageVoice: 13,
} as const;

/** The name to show for a user: nickname, display name, then username. */
export function displayName(user: User | undefined, member?: Member | null): string {
  if (!user) return 'Unknown user';
  return member?.nick || user.global_name || user.username;
}

/** Snowflake order without losing precision. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export function idTime(id: string): number {
  return Number((BigInt(id) >> 22n) + 1420070400000n);
}
