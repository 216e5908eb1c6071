// The event catalog: every event Hearth publishes on its bus and dispatches on the gateway, with its payload, the
// topics it is published to, the intent a bot needs to get it, and the caches it makes stale. Code that gives an
// event meaning reads it here, never from a list of names of its own.
//
// This module holds types and one table of plain data; the web app imports only its types (`import type`).

import { Intent } from './gateway';
import type { GuildCommandPermissions } from './schemas/commands';
import type { GuildJoinRequest, MessageReport } from './schemas/groups';
import type { AuditLogEntry, Channel, Emoji, Guild, Member, Role } from './schemas/guilds';
import type { InteractionEcho } from './schemas/interactions';
import type { Message } from './schemas/messages';
import type { ScheduledEvent } from './schemas/scheduled-events';
import type { Sticker } from './schemas/stickers';
import type { PrivateUser, User, UserGuildSettings, UserSettings } from './schemas/users';
import type {
  CallWire,
  StreamCreate,
  StreamDelete,
  VoiceServerUpdate,
  VoiceState,
  VoiceStateEvent,
} from './schemas/voice';

/**
 * Who may receive an event, the kind of its topic (`<kind>:<id>`). A guild channel and a DM share `channel:<id>`:
 * the catalog names them apart because bots need different intents for each. The social layer adds its own kinds
 * (an account's followers, a timeline) here.
 */
export type TopicKind = 'guild' | 'channel' | 'dm' | 'user' | 'account';

/**
 * A topic string of a kind: `guild:<id>`, `channel:<id>` (a guild channel or a DM), `user:<id>`, or `account:<id>`
 * (a social account's events: its statuses, follows and profile; the Discord gateway ignores them).
 */
export type TopicOfKind<K extends TopicKind> = K extends 'dm' ? `channel:${string}` : `${K}:${string}`;

/**
 * The caches an event makes stale (or changes in place), by what they keep:
 * - `audience`: the gateway's index of which guilds and DMs each session is in;
 * - `permissions`: a gateway session's computed permissions per guild (gateway/session-state.ts);
 * - `context`: the message channel contexts (domain/guilds/context-cache.ts): the parts of the event's user,
 *   channel or guild;
 * - `context-member`: of those contexts, only the part of the member the event names (`d.user`);
 * - `guild-snapshot`: the guild snapshots GUILD_CREATE is built from (domain/gateway/guild-cache.ts).
 */
export type EventCache = 'audience' | 'permissions' | 'context' | 'context-member' | 'guild-snapshot';

/** A user as some events carry it: at least its id. */
export type PartialUser = Pick<User, 'id'> & Partial<User>;

/** A user's presence as PRESENCE_UPDATE and GUILD_CREATE carry it. */
export interface Presence {
  user: { id: string };
  status: string;
  activities: unknown[];
  client_status: Record<string, string>;
}

/** An emoji as a reaction names it: a custom emoji's id and name, or a Unicode emoji's name. */
export interface ReactionEmoji {
  id: string | null;
  name: string | null;
  animated?: boolean;
}

/** A thread member as THREAD_MEMBER_UPDATE and THREAD_MEMBERS_UPDATE carry it. */
export interface ThreadMember {
  /** The thread. */
  id: string;
  user_id: string;
  join_timestamp: string;
  flags: number;
}

/** The guild as GUILD_CREATE carries it: the guild with its channels, threads, members and presences. */
export type GuildCreate = Guild & {
  joined_at?: string;
  large?: boolean;
  member_count?: number;
  channels?: Channel[];
  threads?: Channel[];
  members?: Member[];
  presences?: Presence[];
  voice_states?: VoiceState[];
};

/** Where in a guild an event happened; absent in a DM. */
interface InGuild {
  guild_id?: string;
}

/** The payload of each event, by name. */
export interface EventPayloads {
  GUILD_CREATE: GuildCreate;
  GUILD_UPDATE: Guild & { guild_id: string };
  GUILD_DELETE: { id: string; unavailable?: boolean };
  GUILD_EMOJIS_UPDATE: { guild_id: string; emojis: Emoji[] };
  GUILD_STICKERS_UPDATE: { guild_id: string; stickers: Sticker[] };
  /** On the event's channel when it has one (only those who can view it get it), else on the guild. */
  GUILD_SCHEDULED_EVENT_CREATE: ScheduledEvent;
  GUILD_SCHEDULED_EVENT_UPDATE: ScheduledEvent;
  GUILD_SCHEDULED_EVENT_DELETE: ScheduledEvent;
  GUILD_SCHEDULED_EVENT_USER_ADD: { guild_scheduled_event_id: string; user_id: string; guild_id: string };
  GUILD_SCHEDULED_EVENT_USER_REMOVE: { guild_scheduled_event_id: string; user_id: string; guild_id: string };
  GUILD_ROLE_CREATE: { guild_id: string; role: Role };
  GUILD_ROLE_UPDATE: { guild_id: string; role: Role };
  GUILD_ROLE_DELETE: { guild_id: string; role_id: string };
  GUILD_MEMBER_ADD: Member & { guild_id: string };
  GUILD_MEMBER_UPDATE: Member & { guild_id: string };
  GUILD_MEMBER_REMOVE: { guild_id: string; user: PartialUser };
  GUILD_BAN_ADD: { guild_id: string; user: User };
  GUILD_BAN_REMOVE: { guild_id: string; user: User };
  /** A request to join a group (ADR 0031): to its moderators (KICK_MEMBERS) and to the requester. */
  GUILD_JOIN_REQUEST_CREATE: { guild_id: string; status: string; request: GuildJoinRequest };
  /** A join request approved or rejected. */
  GUILD_JOIN_REQUEST_UPDATE: { guild_id: string; status: string; request: GuildJoinRequest };
  /** A join request withdrawn by its requester. */
  GUILD_JOIN_REQUEST_DELETE: { guild_id: string; id: string; user_id: string };
  /** A message reported to a guild's moderators (Hearth's, ADR 0031): to sessions with MANAGE_MESSAGES or KICK_MEMBERS. */
  GUILD_MESSAGE_REPORT_CREATE: MessageReport;
  /** A report resolved or dismissed by a moderator: to the same sessions. */
  GUILD_MESSAGE_REPORT_UPDATE: MessageReport;
  GUILD_AUDIT_LOG_ENTRY_CREATE: AuditLogEntry;
  CHANNEL_CREATE: Channel;
  CHANNEL_UPDATE: Channel;
  /** A guild channel, or (to the user who left it) a DM's id and type. */
  CHANNEL_DELETE: Pick<Channel, 'id' | 'type'> & Partial<Channel>;
  CHANNEL_PINS_UPDATE: InGuild & { channel_id: string; last_pin_timestamp: string | null };
  CHANNEL_RECIPIENT_ADD: { channel_id: string; user: User };
  CHANNEL_RECIPIENT_REMOVE: { channel_id: string; user: User };
  /** Internal, never dispatched: the user became a recipient of a DM; later messages there reach them. */
  DM_RECIPIENT: { channel_id: string };
  THREAD_CREATE: Channel & { newly_created?: boolean };
  THREAD_UPDATE: Channel;
  THREAD_DELETE: { id: string; guild_id: string; parent_id: string | null; type: number };
  THREAD_MEMBER_UPDATE: ThreadMember & { guild_id: string };
  THREAD_MEMBERS_UPDATE: {
    /** The thread. */
    id: string;
    guild_id: string;
    member_count: number;
    added_members?: Array<ThreadMember & { member?: Member }>;
    removed_member_ids?: string[];
  };
  /**
   * The message, with `channel_type`, and in a guild its `guild_id` and the author's `member`. On a `user:` topic:
   * an ephemeral message (flags 64) for that user alone, without `channel_type` (it moves no channel's last message).
   */
  MESSAGE_CREATE: Message & InGuild & { channel_type: number; member?: Member };
  MESSAGE_UPDATE: Message & InGuild;
  MESSAGE_DELETE: InGuild & { id: string; channel_id: string };
  MESSAGE_DELETE_BULK: InGuild & { ids: string[]; channel_id: string };
  MESSAGE_REACTION_ADD: InGuild & {
    user_id: string;
    channel_id: string;
    message_id: string;
    emoji: ReactionEmoji;
    message_author_id?: string;
    member?: Member;
    burst: boolean;
    type: number;
  };
  MESSAGE_REACTION_REMOVE: InGuild & {
    user_id: string;
    channel_id: string;
    message_id: string;
    emoji: ReactionEmoji;
    burst: boolean;
    type: number;
  };
  MESSAGE_REACTION_REMOVE_ALL: InGuild & { channel_id: string; message_id: string };
  MESSAGE_REACTION_REMOVE_EMOJI: InGuild & { channel_id: string; message_id: string; emoji: ReactionEmoji };
  MESSAGE_ACK: { channel_id: string; message_id: string | null; mention_count: number; version: number };
  TYPING_START: InGuild & { channel_id: string; user_id: string; timestamp: number; member?: Member };
  PRESENCE_UPDATE: Presence & { guild_id: string };
  INVITE_CREATE: {
    channel_id: string;
    guild_id: string;
    code: string;
    created_at: string;
    inviter?: User;
    max_age: number;
    max_uses: number;
    temporary: boolean;
    uses: number;
    expires_at: string | null;
  };
  INVITE_DELETE: { channel_id: string; guild_id: string; code: string };
  WEBHOOKS_UPDATE: { guild_id: string; channel_id: string };
  /** To the application's bot: a command's (or all its commands') overwrites in a guild changed. */
  APPLICATION_COMMAND_PERMISSIONS_UPDATE: GuildCommandPermissions;
  /**
   * To the application's bot: an interaction with Discord's full payload (ADR 0039). To the person who invoked it:
   * its echo (`id`, `nonce`, `type`), as Discord's client gets it.
   */
  INTERACTION_CREATE: Record<string, unknown> & { id: string };
  /** To the invoker: the application answered the interaction in time. */
  INTERACTION_SUCCESS: InteractionEcho;
  /** To the invoker: the application did not answer in time ("This interaction failed"). */
  INTERACTION_FAILURE: InteractionEcho;
  /** To the invoker: the application answered with a modal to show. */
  INTERACTION_MODAL_CREATE: InteractionEcho & {
    channel_id: string;
    custom_id: string;
    title: string;
    components: unknown[];
    application: { id: string; name: string; icon: string | null; bot_id?: string };
  };
  /** To the invoker: the choices the application offers for the option being typed. */
  APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE: { nonce: string | null; choices: unknown[] };
  RELATIONSHIP_ADD: { id: string; type: number; nickname: string | null; since: string; user: User };
  RELATIONSHIP_REMOVE: { id: string; type: number };
  /**
   * A member joined, left (`channel_id` null), moved or changed mute or deafen in a voice channel (ADR 0034); those
   * who can view the channel get it (a leave: everyone in the guild). In a DM or group DM call (`guild_id` null), its
   * recipients.
   */
  VOICE_STATE_UPDATE: VoiceStateEvent;
  /** A DM or group DM call began (and, after READY, each call going on in one's DMs); to its recipients. */
  CALL_CREATE: CallWire;
  /** Who a call rings changed (a ring, a decline, a join, a timeout); to its recipients. */
  CALL_UPDATE: Omit<CallWire, 'voice_states' | 'embedded_activities'> & { guild_id: null };
  /** The call ended: the last person left. */
  CALL_DELETE: { channel_id: string; unavailable?: boolean };
  /** Where the session that joined a voice channel negotiates its media; dispatched to that session only. */
  VOICE_SERVER_UPDATE: VoiceServerUpdate;
  /** Go Live started (op 18 accepted); to the streamer's session only. */
  STREAM_CREATE: StreamCreate;
  /** Go Live ended or refused; to the streamer's session only. */
  STREAM_DELETE: StreamDelete;
  /** The user themself; a partial one when only some fields changed (verified). */
  USER_UPDATE: Pick<PrivateUser, 'id'> & Partial<PrivateUser>;
  USER_SETTINGS_UPDATE: UserSettings;
  /** The user's notification settings of one guild changed (PATCH /users/@me/guilds/:id/settings); their sessions only. */
  USER_GUILD_SETTINGS_UPDATE: UserGuildSettings;
  /** Internal, never dispatched: the user's sessions (some, or all) are no longer valid. */
  SESSIONS_REVOKED: { session_ids?: string[]; all?: boolean };
  /**
   * The social layer's events, on `account:<id>`. A status event carries its visibility, so a consumer (a streaming
   * API, federation) decides per reader; `status` is the Mastodon Status as its author sees it.
   */
  SOCIAL_STATUS_CREATE: SocialStatusEvent;
  SOCIAL_STATUS_UPDATE: SocialStatusEvent;
  /** `tags`: the deleted status's hashtags (lower case), for the hashtag streams and tag followers that had it. */
  SOCIAL_STATUS_DELETE: { id: string; account_id: string; visibility: string; tags?: string[] };
  /** Told to both accounts; `accepted` false: a request waiting for a locked account's approval. */
  SOCIAL_FOLLOW: SocialFollowEvent;
  SOCIAL_FOLLOW_REQUEST: SocialFollowEvent;
  SOCIAL_UNFOLLOW: { account_id: string; target_id: string };
  /** The account followed (`following`) or stopped following a hashtag (lower case): its home stream changes. */
  SOCIAL_TAG_FOLLOW: { account_id: string; tag: string; following: boolean };
  /**
   * A group posted (a forum post started), on the group account's topic (ADR 0031): ids only; the streaming API
   * asks the domain which members' home timelines get it and renders it for them.
   */
  SOCIAL_GROUP_POST_CREATE: { id: string; group_id: string; forum_id: string };
  /** A group post's body (its starter message) was edited: the streaming API's `status.update`, as for a new one. */
  SOCIAL_GROUP_POST_UPDATE: { id: string; group_id: string; forum_id: string };
  SOCIAL_FAVOURITE: { status_id: string; account_id: string; visibility: string };
  /** The account's list `list_id` changed members or was deleted (`deleted`): its `list` streams re-read it. */
  SOCIAL_LIST_UPDATE: { account_id: string; list_id: string; deleted: boolean };
  /** The account's conversation `id` has a new (or a new latest) direct status, or was read: its `direct` stream. */
  SOCIAL_CONVERSATION: { account_id: string; id: string };
  /** The Mastodon Account as anyone may see it (without `source`). */
  SOCIAL_ACCOUNT_UPDATE: Record<string, unknown> & { id: string };
  /**
   * A notification for the account of the topic (`user_id`): its id, Mastodon type, who caused it and the status it
   * is about. A consumer renders it for the recipient (a streaming API reads it back, visibility applied).
   */
  SOCIAL_NOTIFICATION: {
    id: string;
    user_id: string;
    type: string;
    account_id: string;
    status_id: string | null;
  };
}

interface SocialStatusEvent {
  id: string;
  account_id: string;
  visibility: string;
  status: unknown;
  /** A boost: the status it boosts and that status's author. */
  reblog_of_id?: string | null;
  reblog_of_account_id?: string | null;
}

interface SocialFollowEvent {
  follow_id?: string;
  account_id: string;
  target_id: string;
  accepted: boolean;
}

export type EventName = keyof EventPayloads;
export type EventPayload<T extends EventName> = EventPayloads[T];

/**
 * What the gateway and the caches need to know of an event. `intent` is the intent a bot needs to get it: one for
 * everywhere, or one in a guild and another in a DM (or in a user's own events without a guild).
 */
export interface EventSpec {
  topics: readonly TopicKind[];
  intent: number | { readonly guild: number; readonly dm: number };
  invalidates: readonly EventCache[];
}

const messages = { guild: Intent.GuildMessages, dm: Intent.DirectMessages };
const reactions = { guild: Intent.GuildMessageReactions, dm: Intent.DirectMessageReactions };

/** Social events reach no bot (no intent delivers them) and change no chat cache. */
const social = { topics: ['account'], intent: 0, invalidates: [] } as const;

/** The catalog. */
export const EVENTS = {
  GUILD_CREATE: { topics: ['user'], intent: Intent.Guilds, invalidates: ['context'] },
  GUILD_UPDATE: { topics: ['guild'], intent: Intent.Guilds, invalidates: ['context', 'guild-snapshot'] },
  GUILD_DELETE: {
    topics: ['guild', 'user'],
    intent: Intent.Guilds,
    invalidates: ['audience', 'context', 'guild-snapshot'],
  },
  GUILD_EMOJIS_UPDATE: {
    topics: ['guild'],
    intent: Intent.GuildExpressions,
    invalidates: ['context', 'guild-snapshot'],
  },
  GUILD_STICKERS_UPDATE: {
    topics: ['guild'],
    intent: Intent.GuildExpressions,
    invalidates: ['context', 'guild-snapshot'],
  },
  GUILD_SCHEDULED_EVENT_CREATE: {
    topics: ['guild', 'channel'],
    intent: Intent.GuildScheduledEvents,
    invalidates: ['guild-snapshot'],
  },
  GUILD_SCHEDULED_EVENT_UPDATE: {
    topics: ['guild', 'channel'],
    intent: Intent.GuildScheduledEvents,
    invalidates: ['guild-snapshot'],
  },
  GUILD_SCHEDULED_EVENT_DELETE: {
    topics: ['guild', 'channel'],
    intent: Intent.GuildScheduledEvents,
    invalidates: ['guild-snapshot'],
  },
  GUILD_SCHEDULED_EVENT_USER_ADD: {
    topics: ['guild', 'channel'],
    intent: Intent.GuildScheduledEvents,
    invalidates: [],
  },
  GUILD_SCHEDULED_EVENT_USER_REMOVE: {
    topics: ['guild', 'channel'],
    intent: Intent.GuildScheduledEvents,
    invalidates: [],
  },
  GUILD_ROLE_CREATE: {
    topics: ['guild'],
    intent: Intent.Guilds,
    invalidates: ['permissions', 'context', 'guild-snapshot'],
  },
  GUILD_ROLE_UPDATE: {
    topics: ['guild'],
    intent: Intent.Guilds,
    invalidates: ['permissions', 'context', 'guild-snapshot'],
  },
  GUILD_ROLE_DELETE: {
    topics: ['guild'],
    intent: Intent.Guilds,
    invalidates: ['permissions', 'context', 'guild-snapshot'],
  },
  GUILD_MEMBER_ADD: {
    topics: ['guild'],
    intent: Intent.GuildMembers,
    invalidates: ['context-member', 'guild-snapshot'],
  },
  GUILD_MEMBER_UPDATE: {
    topics: ['guild'],
    intent: Intent.GuildMembers,
    invalidates: ['permissions', 'context-member', 'guild-snapshot'],
  },
  GUILD_MEMBER_REMOVE: {
    topics: ['guild'],
    intent: Intent.GuildMembers,
    invalidates: ['audience', 'context-member', 'guild-snapshot'],
  },
  GUILD_BAN_ADD: { topics: ['guild'], intent: Intent.GuildModeration, invalidates: ['context-member'] },
  GUILD_BAN_REMOVE: { topics: ['guild'], intent: Intent.GuildModeration, invalidates: ['context-member'] },
  GUILD_JOIN_REQUEST_CREATE: { topics: ['guild', 'user'], intent: Intent.GuildModeration, invalidates: [] },
  GUILD_JOIN_REQUEST_UPDATE: { topics: ['guild', 'user'], intent: Intent.GuildModeration, invalidates: [] },
  GUILD_JOIN_REQUEST_DELETE: { topics: ['guild', 'user'], intent: Intent.GuildModeration, invalidates: [] },
  GUILD_MESSAGE_REPORT_CREATE: { topics: ['guild'], intent: Intent.GuildModeration, invalidates: [] },
  GUILD_MESSAGE_REPORT_UPDATE: { topics: ['guild'], intent: Intent.GuildModeration, invalidates: [] },
  GUILD_AUDIT_LOG_ENTRY_CREATE: {
    topics: ['guild'],
    intent: Intent.GuildModeration,
    invalidates: ['context'],
  },
  CHANNEL_CREATE: {
    topics: ['guild', 'user'],
    intent: Intent.Guilds,
    invalidates: ['audience', 'permissions', 'context', 'guild-snapshot'],
  },
  CHANNEL_UPDATE: {
    topics: ['guild', 'dm'],
    intent: Intent.Guilds,
    invalidates: ['permissions', 'context', 'guild-snapshot'],
  },
  CHANNEL_DELETE: {
    topics: ['guild', 'user'],
    intent: Intent.Guilds,
    invalidates: ['audience', 'permissions', 'context', 'guild-snapshot'],
  },
  CHANNEL_PINS_UPDATE: {
    topics: ['channel', 'dm'],
    intent: { guild: Intent.Guilds, dm: Intent.DirectMessages },
    invalidates: ['guild-snapshot'],
  },
  CHANNEL_RECIPIENT_ADD: { topics: ['dm'], intent: Intent.Guilds, invalidates: ['context'] },
  CHANNEL_RECIPIENT_REMOVE: { topics: ['dm'], intent: Intent.Guilds, invalidates: ['context'] },
  DM_RECIPIENT: { topics: ['user'], intent: Intent.Guilds, invalidates: ['audience', 'context'] },
  THREAD_CREATE: {
    topics: ['guild'],
    intent: Intent.Guilds,
    invalidates: ['permissions', 'context', 'guild-snapshot'],
  },
  THREAD_UPDATE: {
    topics: ['guild'],
    intent: Intent.Guilds,
    invalidates: ['permissions', 'context', 'guild-snapshot'],
  },
  THREAD_DELETE: {
    topics: ['guild'],
    intent: Intent.Guilds,
    invalidates: ['permissions', 'context', 'guild-snapshot'],
  },
  THREAD_MEMBER_UPDATE: { topics: ['user'], intent: Intent.Guilds, invalidates: ['context'] },
  THREAD_MEMBERS_UPDATE: {
    topics: ['guild'],
    intent: Intent.GuildMembers,
    invalidates: ['permissions', 'context', 'guild-snapshot'],
  },
  // A message in a guild channel moves its last_message_id in the guild's snapshot; one in a thread drops it.
  // On `user:`: an interaction's ephemeral message, seen by the person who invoked it alone (ADR 0039).
  MESSAGE_CREATE: { topics: ['channel', 'dm', 'user'], intent: messages, invalidates: ['guild-snapshot'] },
  MESSAGE_UPDATE: { topics: ['channel', 'dm', 'user'], intent: messages, invalidates: [] },
  MESSAGE_DELETE: { topics: ['channel', 'dm', 'user'], intent: messages, invalidates: [] },
  MESSAGE_DELETE_BULK: { topics: ['channel'], intent: messages, invalidates: [] },
  MESSAGE_REACTION_ADD: { topics: ['channel', 'dm'], intent: reactions, invalidates: [] },
  MESSAGE_REACTION_REMOVE: { topics: ['channel', 'dm'], intent: reactions, invalidates: [] },
  MESSAGE_REACTION_REMOVE_ALL: { topics: ['channel', 'dm'], intent: reactions, invalidates: [] },
  MESSAGE_REACTION_REMOVE_EMOJI: { topics: ['channel', 'dm'], intent: reactions, invalidates: [] },
  MESSAGE_ACK: { topics: ['user'], intent: messages, invalidates: [] },
  TYPING_START: {
    topics: ['channel', 'dm'],
    intent: { guild: Intent.GuildMessageTyping, dm: Intent.DirectMessageTyping },
    invalidates: [],
  },
  // Changes the snapshot's presences in place.
  PRESENCE_UPDATE: { topics: ['guild'], intent: Intent.GuildPresences, invalidates: ['guild-snapshot'] },
  INVITE_CREATE: { topics: ['guild'], intent: Intent.GuildInvites, invalidates: ['context'] },
  INVITE_DELETE: { topics: ['guild'], intent: Intent.GuildInvites, invalidates: ['context'] },
  WEBHOOKS_UPDATE: { topics: ['channel'], intent: Intent.GuildWebhooks, invalidates: ['context'] },
  // Discord sends it to the application whatever its intents; GUILDS is the one every bot in a guild holds.
  APPLICATION_COMMAND_PERMISSIONS_UPDATE: { topics: ['user'], intent: Intent.Guilds, invalidates: [] },
  // Discord sends interactions to the application whatever its intents; GUILDS is the one every bot holds (as above).
  INTERACTION_CREATE: { topics: ['user'], intent: Intent.Guilds, invalidates: [] },
  INTERACTION_SUCCESS: { topics: ['user'], intent: Intent.Guilds, invalidates: [] },
  INTERACTION_FAILURE: { topics: ['user'], intent: Intent.Guilds, invalidates: [] },
  INTERACTION_MODAL_CREATE: { topics: ['user'], intent: Intent.Guilds, invalidates: [] },
  APPLICATION_COMMAND_AUTOCOMPLETE_RESPONSE: { topics: ['user'], intent: Intent.Guilds, invalidates: [] },
  RELATIONSHIP_ADD: { topics: ['user'], intent: Intent.Guilds, invalidates: ['context'] },
  RELATIONSHIP_REMOVE: { topics: ['user'], intent: Intent.Guilds, invalidates: ['context'] },
  // GUILD_CREATE lists the guild's voice states: a change drops the snapshot.
  VOICE_STATE_UPDATE: {
    topics: ['guild', 'dm'],
    intent: { guild: Intent.GuildVoiceStates, dm: Intent.GuildVoiceStates },
    invalidates: ['guild-snapshot'],
  },
  // DM and group DM calls (issue 24); CALL_CREATE also goes to one session after READY (gateway/identify.ts).
  CALL_CREATE: { topics: ['dm', 'user'], intent: Intent.DirectMessages, invalidates: [] },
  CALL_UPDATE: { topics: ['dm'], intent: Intent.DirectMessages, invalidates: [] },
  CALL_DELETE: { topics: ['dm'], intent: Intent.DirectMessages, invalidates: [] },
  // Written straight to the session that sent op 4 (gateway/voice.ts), never published.
  VOICE_SERVER_UPDATE: { topics: ['user'], intent: Intent.GuildVoiceStates, invalidates: [] },
  // Go Live: written straight to the streamer's session (gateway/voice.ts), never published.
  STREAM_CREATE: { topics: ['user'], intent: Intent.GuildVoiceStates, invalidates: [] },
  STREAM_DELETE: { topics: ['user'], intent: Intent.GuildVoiceStates, invalidates: [] },
  // Drops the snapshots that list the user.
  USER_UPDATE: { topics: ['user'], intent: Intent.Guilds, invalidates: ['context', 'guild-snapshot'] },
  USER_SETTINGS_UPDATE: { topics: ['user'], intent: Intent.Guilds, invalidates: ['context'] },
  // Notification settings are no part of any cache.
  USER_GUILD_SETTINGS_UPDATE: { topics: ['user'], intent: Intent.Guilds, invalidates: [] },
  SESSIONS_REVOKED: { topics: ['user'], intent: Intent.Guilds, invalidates: ['context'] },
  SOCIAL_STATUS_CREATE: social,
  SOCIAL_STATUS_UPDATE: social,
  SOCIAL_STATUS_DELETE: social,
  SOCIAL_FOLLOW: social,
  SOCIAL_FOLLOW_REQUEST: social,
  SOCIAL_UNFOLLOW: social,
  SOCIAL_TAG_FOLLOW: social,
  SOCIAL_GROUP_POST_CREATE: social,
  SOCIAL_GROUP_POST_UPDATE: social,
  SOCIAL_FAVOURITE: social,
  SOCIAL_LIST_UPDATE: social,
  SOCIAL_CONVERSATION: social,
  SOCIAL_ACCOUNT_UPDATE: social,
  SOCIAL_NOTIFICATION: social,
} as const satisfies { [T in EventName]: EventSpec };

/** The topic kinds event `T` is published to. */
export type TopicKindOf<T extends EventName> = (typeof EVENTS)[T]['topics'][number];
/** A topic event `T` may be published to. */
export type TopicOf<T extends EventName> = TopicOfKind<TopicKindOf<T>>;

/** One event as published and as its consumers get it: a union discriminated by `t`. */
export type HearthEvent = { [T in EventName]: { t: T; topic: TopicOf<T>; d: EventPayload<T> } }[EventName];

/** An event's entry in the catalog, as code reads it. */
export interface EventInfo {
  readonly topics: ReadonlySet<TopicKind>;
  /** The intent a bot needs for it in a guild, and outside one. */
  readonly intent: { readonly guild: number; readonly dm: number };
  readonly invalidates: ReadonlySet<EventCache>;
}

const INFO = new Map<string, EventInfo>(
  Object.entries(EVENTS as Record<EventName, EventSpec>).map(([t, spec]) => [
    t,
    {
      topics: new Set(spec.topics),
      intent: typeof spec.intent === 'number' ? { guild: spec.intent, dm: spec.intent } : spec.intent,
      invalidates: new Set(spec.invalidates),
    },
  ]),
);

/** Every event name in the catalog. */
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

export function isEventName(t: string): t is EventName {
  return INFO.has(t);
}

/** The catalog's entry for `t`, or undefined for a name outside it (the bus's own signals, handoff messages). */
export function eventInfo(t: string): EventInfo | undefined {
  return INFO.get(t);
}

/** Whether event `t` makes `cache` stale (false for names outside the catalog). */
export function invalidates(t: string, cache: EventCache): boolean {
  return INFO.get(t)?.invalidates.has(cache) ?? false;
}

/** The intent a bot needs to get event `t`, in a guild or not; GUILDS for names outside the catalog. */
export function botIntent(t: string, inGuild: boolean): number {
  const intent = INFO.get(t)?.intent;
  if (!intent) return Intent.Guilds;
  return inGuild ? intent.guild : intent.dm;
}

/** Narrows an event from the bus to the catalog's typed union, or null for names outside it. */
export function asHearthEvent(event: { t: string; topic: string; d: unknown }): HearthEvent | null {
  return INFO.has(event.t) ? (event as HearthEvent) : null;
}

/** The events that make `cache` stale, by the catalog. */
export type EventsInvalidating<C extends EventCache> = {
  [T in EventName]: C extends (typeof EVENTS)[T]['invalidates'][number] ? T : never;
}[EventName];

/** Narrows an event to those that make `cache` stale: their payloads are what the catalog gives those names. */
export function makesStale<C extends EventCache>(
  event: HearthEvent,
  cache: C,
): event is Extract<HearthEvent, { t: EventsInvalidating<C> }> {
  return invalidates(event.t, cache);
}

/**
 * The guild an event's payload names (`guild_id`): the catalog's events carry it where they happen in a guild. Takes
 * any event from the bus, so a cache can also act on a name outside the catalog (a newer process's event).
 */
export function payloadGuildId(event: { d: unknown }): string | undefined {
  const d = event.d;
  return d && typeof d === 'object' && 'guild_id' in d && typeof d.guild_id === 'string'
    ? d.guild_id
    : undefined;
}
