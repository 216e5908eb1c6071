// Channel types from the protocol's module that carries them alone (no schemas, so no TypeBox in the bundle).

import type { EventName, EventPayloads } from '@hearth/protocol';
import { ChannelFlags, ChannelType, isForumType, isThreadType } from '@hearth/protocol/channel-kinds';

// The Discord-shaped wire objects the app reads (only the fields it uses).

export interface User {
  id: string;
  username: string;
  global_name?: string | null;
  avatar?: string | null;
  banner?: string | null;
  bio?: string | null;
  /** The caller's own (READY, USER_UPDATE); others' come with their profile. */
  pronouns?: string;
  bot?: boolean;
  /** On a webhook message's author: the avatar_url it was sent with. */
  avatar_url?: string;
  email?: string | null;
  verified?: boolean;
  /** The caller's own (READY, GET /users/@me): the most bytes one file of theirs may have. */
  upload_limit?: number;
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

interface Overwrite {
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
  /** Threads: whether it is archived, and since when. */
  thread_metadata?: { archived: boolean; archive_timestamp?: string; locked?: boolean };
  message_count?: number;
  /** A voice channel's most people at once (0: no limit). */
  user_limit?: number;
  flags?: number;
  /** A forum or media channel's tags; a forum post's tags (ids). */
  available_tags?: ForumTag[];
  applied_tags?: string[];
  /** A forum's default order of posts: 0 latest activity, 1 creation. */
  default_sort_order?: number | null;
}

/** One's membership of a thread (`id` is the thread's), as THREAD_MEMBER_UPDATE and the thread routes carry it. */
export interface ThreadMember {
  id: string;
  user_id: string;
  join_timestamp: string;
  flags: number;
}

export interface ForumTag {
  id: string;
  name: string;
  moderated: boolean;
  emoji_id: string | null;
  emoji_name: string | null;
}

export interface Member {
  user?: User;
  nick?: string | null;
  roles: string[];
  joined_at?: string;
  communication_disabled_until?: string | null;
}

/** Who is in which voice channel of a guild, and how (self and server mute and deafen). */
export interface VoiceState {
  channel_id: string | null;
  user_id: string;
  member?: Member;
  session_id: string;
  deaf: boolean;
  mute: boolean;
  self_deaf: boolean;
  self_mute: boolean;
  self_video: boolean;
  self_stream: boolean;
  suppress: boolean;
}

export interface Guild {
  id: string;
  name: string;
  icon?: string | null;
  banner?: string | null;
  owner_id: string;
  system_channel_id?: string | null;
  roles: Role[];
  emojis?: Array<{ id: string; name: string; animated?: boolean }>;
  /** Above the session's large_threshold: GUILD_CREATE listed only online members, and presences need op 14. */
  large?: boolean;
  description?: string | null;
  features?: string[];
  /** Hearth's group settings (ADR 0031); null when the server is not a group. */
  hearth_group?: {
    join_mode: 'public' | 'approval' | 'private';
    rules: string | null;
    tags: string[];
    /** The group's Mastodon account's @handle (one namespace with usernames); null: no account. */
    handle?: string | null;
  } | null;
  /** 0 every message notifies, 1 only mentions. */
  default_message_notifications?: number;
}

/** A mute's end (null: until unmuted). */
export interface MuteConfig {
  end_time: string | null;
  selected_time_window: number;
}

/** How the user is notified in one guild and its channels (Discord's user guild settings). */
export interface UserGuildSettings {
  guild_id: string;
  /** 0 all messages, 1 only mentions, 2 nothing, 3 the guild's default (a channel's: the guild's setting). */
  message_notifications: number;
  muted: boolean;
  mute_config: MuteConfig | null;
  suppress_everyone: boolean;
  suppress_roles: boolean;
  channel_overrides: Array<{
    channel_id: string;
    message_notifications: number;
    muted: boolean;
    mute_config: MuteConfig | null;
  }>;
  version: number;
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

interface Reaction {
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
  /** Bots' rich embeds and the server's link previews (empty while SUPPRESS_EMBEDS is set). */
  embeds?: Embed[];
  reactions?: Reaction[];
  pinned?: boolean;
  type: number;
  nonce?: string | number | null;
  message_reference?: { message_id?: string; channel_id?: string } | null;
  referenced_message?: Message | null;
  /** Set when a webhook sent the message: the author is then the webhook, under the name it posted with. */
  webhook_id?: string;
  /** Discord's message flags: 4 SUPPRESS_EMBEDS, 64 ephemeral (only the invoker sees it), 128 loading (a deferred
   * interaction response). */
  flags?: number;
  /** Action rows of buttons and selects (a bot's message). */
  components?: unknown[];
  /** A call's system message (type 3): who took part, and when it ended (null while it goes on). */
  call?: { participants: string[]; ended_timestamp?: string | null };
  /** An interaction response's application. */
  application_id?: string;
  /** An interaction response: who invoked what. */
  interaction_metadata?: unknown;
}

/** An embed as the server sends it: a bot's rich embed, or a link preview (type link, article, image). */
export interface Embed {
  type?: string;
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  timestamp?: string;
  provider?: { name?: string; url?: string };
  author?: { name: string; url?: string; icon_url?: string; proxy_icon_url?: string };
  footer?: { text: string; icon_url?: string; proxy_icon_url?: string };
  image?: { url: string; proxy_url?: string };
  thumbnail?: { url: string; proxy_url?: string };
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
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
/** An invite as GET /invites/:code and POST (join) answer it. */
export interface Invite {
  code: string;
  guild?: { id: string; name: string };
  guild_id?: string;
  channel?: { id: string; name?: string | null } | null;
  approximate_member_count?: number;
}

export { ChannelType };

export const isThread = (c: Channel): boolean => isThreadType(c.type);
/** A forum or media channel: its posts are threads. */
export const isForum = (c: Channel): boolean => isForumType(c.type);
/** A forum post pinned to the top of its forum. */
export const isPinnedPost = (c: Channel): boolean => ((c.flags ?? 0) & ChannelFlags.Pinned) !== 0;

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

type ReactionEmoji = { id?: string | null; name?: string | null };

/** The gateway dispatches the app applies, by event name, with the payload fields it reads. */
export interface Events {
  READY: {
    user: User;
    session_id: string;
    resume_gateway_url?: string;
    guilds?: Array<{ id: string }>;
    private_channels?: Channel[];
    relationships?: Relationship[];
    read_state?: { entries: ReadState[] };
    user_guild_settings?: { entries: UserGuildSettings[] };
  };
  GUILD_CREATE: Guild & {
    channels?: Channel[];
    members?: Member[];
    presences?: Array<{ user: { id: string }; status: string }>;
    threads?: Channel[];
    voice_states?: VoiceState[];
  };
  GUILD_UPDATE: Partial<Guild> & { id: string };
  GUILD_DELETE: { id: string; unavailable?: boolean };
  GUILD_EMOJIS_UPDATE: { guild_id: string; emojis: Guild['emojis'] };
  GUILD_ROLE_CREATE: { guild_id: string; role: Role };
  GUILD_ROLE_UPDATE: { guild_id: string; role: Role };
  GUILD_ROLE_DELETE: { guild_id: string; role_id: string };
  GUILD_MEMBER_ADD: Member & { guild_id: string };
  GUILD_MEMBER_UPDATE: Member & { guild_id: string };
  GUILD_MEMBER_REMOVE: { guild_id: string; user: { id: string } };
  GUILD_MEMBERS_CHUNK: {
    guild_id: string;
    members: Member[];
    presences?: Array<{ user: { id: string }; status: string }>;
  };
  CHANNEL_CREATE: Channel;
  CHANNEL_UPDATE: Channel;
  CHANNEL_DELETE: Channel;
  THREAD_CREATE: Channel;
  THREAD_UPDATE: Channel;
  THREAD_DELETE: { id: string; guild_id: string; parent_id?: string | null };
  THREAD_LIST_SYNC: { guild_id: string; threads: Channel[]; members?: ThreadMember[] };
  THREAD_MEMBER_UPDATE: ThreadMember & { guild_id: string };
  THREAD_MEMBERS_UPDATE: {
    id: string;
    guild_id: string;
    member_count: number;
    added_members?: ThreadMember[];
    removed_member_ids?: string[];
  };
  CHANNEL_RECIPIENT_ADD: { channel_id: string; user: User };
  CHANNEL_RECIPIENT_REMOVE: { channel_id: string; user: User };
  MESSAGE_CREATE: Message;
  MESSAGE_UPDATE: Partial<Message> & { id: string; channel_id: string };
  MESSAGE_DELETE: { id: string; channel_id: string };
  MESSAGE_DELETE_BULK: { ids: string[]; channel_id: string };
  MESSAGE_REACTION_ADD: { user_id: string; channel_id: string; message_id: string; emoji: ReactionEmoji };
  MESSAGE_REACTION_REMOVE: { user_id: string; channel_id: string; message_id: string; emoji: ReactionEmoji };
  MESSAGE_REACTION_REMOVE_ALL: { channel_id: string; message_id: string };
  MESSAGE_REACTION_REMOVE_EMOJI: { channel_id: string; message_id: string; emoji: ReactionEmoji };
  MESSAGE_ACK: { channel_id: string; message_id: string | null; mention_count?: number };
  TYPING_START: { channel_id: string; user_id: string; member?: Member };
  PRESENCE_UPDATE: { user: { id: string }; status: string };
  GUILD_MEMBER_LIST_UPDATE: ListUpdate;
  RELATIONSHIP_ADD: Relationship;
  RELATIONSHIP_REMOVE: { id: string };
  /** `guild_id` null: a DM or group DM call's. */
  VOICE_STATE_UPDATE: VoiceState & { guild_id: string | null };
  CALL_CREATE: { channel_id: string; ringing: string[]; voice_states: VoiceState[] };
  CALL_UPDATE: { channel_id: string; ringing: string[] };
  CALL_DELETE: { channel_id: string };
  GUILD_MESSAGE_REPORT_CREATE: { guild_id: string };
  GUILD_MESSAGE_REPORT_UPDATE: { guild_id: string };
  VOICE_SERVER_UPDATE: {
    token: string;
    guild_id: string | null;
    channel_id?: string;
    endpoint: string | null;
  };
  STREAM_CREATE: {
    stream_key: string;
    rtc_server_id: string;
    viewer_ids: string[];
    region: string;
    paused: boolean;
  };
  STREAM_DELETE: { stream_key: string; unavailable: boolean; reason: string };
  /** Only the fields that changed may be there (e.g. `verified`). */
  USER_UPDATE: Partial<User> & { id: string };
  USER_GUILD_SETTINGS_UPDATE: UserGuildSettings;
  /** To the invoker: their interaction's echo, its success or failure, a modal to show, autocomplete choices. */
  INTERACTION_CREATE: EventPayloads['INTERACTION_CREATE'];
  INTERACTION_SUCCESS: EventPayloads['INTERACTION_SUCCESS'];
  INTERACTION_FAILURE: EventPayloads['INTERACTION_FAILURE'];
  INTERACTION_MODAL_CREATE: EventPayloads['INTERACTION_MODAL_CREATE'];
  APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE: EventPayloads['APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE'];
}

/** A lazy member list's item (ADR 0041): a group's header or a member with their presence. */
export type ListItem =
  | { group: { id: string; count: number } }
  | { member: Member & { presence?: { status: string } } };

/** GUILD_MEMBER_LIST_UPDATE: a list's counts and the ops that keep a client's ranges true. */
export interface ListUpdate {
  id: string;
  guild_id: string;
  member_count: number;
  online_count: number;
  groups: Array<{ id: string; count: number }>;
  ops: Array<
    | { op: 'SYNC'; range: [number, number]; items: ListItem[] }
    | { op: 'INVALIDATE'; range: [number, number] }
    | { op: 'INSERT'; index: number; item: ListItem }
    | { op: 'UPDATE'; index: number; item: ListItem }
    | { op: 'DELETE'; index: number }
  >;
}

/** The dispatches the gateway makes itself (not events of the bus, so not in the event catalog). */
type GatewayOnly = 'READY' | 'GUILD_MEMBERS_CHUNK' | 'THREAD_LIST_SYNC' | 'GUILD_MEMBER_LIST_UPDATE';

/**
 * Each payload type above is the app's view of the event catalog's (@hearth/protocol, imported as types only): the
 * fields it reads, of the types the server sends. An event the catalog does not know, or a view that reads a field
 * the server's payload lacks or types otherwise, does not compile: it names the event here.
 */
type NotInCatalog = Exclude<keyof Events, EventName | GatewayOnly>;
type NotAView = {
  [K in keyof Events & EventName]: EventPayloads[K] extends Events[K] ? never : K;
}[keyof Events & EventName];
type MustBeNone<T extends never> = T;
/** @public Nothing imports it: it exists to be compiled (exported so that it counts as used). */
export type CatalogChecks = [MustBeNone<NotInCatalog>, MustBeNone<NotAView>];

/** One dispatch as [name, payload], so a switch on the name knows the payload's shape. */
export type Dispatch = { [K in keyof Events]: [t: K, d: Events[K]] }[keyof Events];

/** "1 member", "2 members". */
export function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
}
