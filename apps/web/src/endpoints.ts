// Every REST route the app calls, one function each: the path is written here once, the request body is
// typed by @hearth/protocol's schemas and the answer by the wire objects the app reads (./types). The
// protocol package is imported for its types only (`import type`), so nothing of it reaches the bundle.
// Screens call these, never `api()` with a path of their own.
import type {
  Application,
  ApplicationCommandIndex,
  ChangePassword,
  CreateBan,
  CreateChannel,
  CreateGuild,
  CreateInteraction,
  CreateInvite,
  CreateMessage,
  CreateRole,
  DiscoverableGuilds,
  EditMessage,
  EditOverwrite,
  Forgot,
  GuildJoinRequest,
  HearthKnownInstance,
  Integration,
  Login,
  MastodonCreateStatus,
  MastodonUpdateCredentials,
  MessageReport,
  ModifyApplication,
  ModifyChannel,
  ModifyCurrentUser,
  ModifyGuild,
  ModifyMember,
  ModifyRole,
  ModifyUserGuildSettings,
  ModifyWebhook,
  Register,
  Reset,
  RolePositions,
  TokenPair,
  UserProfile,
  VoiceConnect,
} from '@hearth/protocol';
import type { Static } from 'typebox';
import { type ApiOptions, api, mastodon, mastodonPage, upload } from './api';
import type { Channel, Guild, Invite, Message, Role, ThreadMember, User, UserGuildSettings } from './types';

/** An emoji as a reaction route's path segment: `name:id` for a custom one, the character otherwise. */
export type ReactionEmoji = { id: string | null; name: string | null };
const emojiSegment = (e: ReactionEmoji) => encodeURIComponent(e.id ? `${e.name}:${e.id}` : (e.name ?? ''));
const code = encodeURIComponent;

/** The query string of a set of parameters, repeating a key for each value of a list; empty values left out. */
function query(params: Record<string, string | number | undefined | Array<string | number>>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value])
      if (v !== undefined && v !== '') q.append(key, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// ---- Wire shapes the app reads that ./types does not hold ----

export interface SessionRow {
  id: string;
  client: string | null;
  ip: string | null;
  created_at: string;
  last_used_at: string;
  current: boolean;
}

export interface InviteRow {
  code: string;
  channel?: { name?: string };
  inviter?: User;
  uses?: number;
  max_uses?: number;
  expires_at?: string | null;
}

export interface BanRow {
  user: User;
  reason: string | null;
}

export interface AuditLogRow {
  id: string;
  user_id: string | null;
  action_type: number;
  reason?: string | null;
}

/** Discord's message search filters (`GET /guilds/:id/messages/search`). */
export interface SearchQuery {
  content?: string;
  author_id?: string[];
  channel_id?: string[];
  mentions?: string[];
  has?: string[];
  /** Snowflake bounds (exclusive): the dates of before:, after: and during:. */
  min_id?: string;
  max_id?: string;
  limit?: number;
  offset?: number;
}

/** Each hit is a list holding the message (Discord once sent the messages around it too). */
export interface SearchResult {
  total_results: number;
  messages: Message[][];
}

export interface WebhookRow {
  id: string;
  channel_id: string;
  name: string;
  avatar: string | null;
  url?: string;
  user?: User;
}

// ---- Auth ----

export const register = (body: Register) => api<TokenPair>('POST', '/auth/register', body);
export const login = (body: Login) => api<TokenPair>('POST', '/auth/login', body);
export const logout = () => api<void>('POST', '/auth/logout');
export const forgotPassword = (body: Static<typeof Forgot>) => api<void>('POST', '/auth/forgot', body);
export const resetPassword = (body: Static<typeof Reset>) => api<void>('POST', '/auth/reset', body);
export const verifyEmail = (token: string) => api<void>('POST', '/auth/verify', { token });
export const resendVerification = () => api<void>('POST', '/auth/verify/resend');
export const listSessions = () => api<SessionRow[]>('GET', '/auth/sessions');
export const revokeSession = (id: string) => api<void>('DELETE', `/auth/sessions/${id}`);

// ---- Gateway ----

export const getGateway = () => api<{ url: string }>('GET', '/gateway');

// ---- Users, relationships, DMs ----

export const getUser = (userId: string) => api<User>('GET', `/users/${userId}`);
/** A person's profile with the servers and friends the caller shares with them (403 for a stranger). */
export const getUserProfile = (userId: string) =>
  api<UserProfile>(
    'GET',
    `/users/${userId}/profile${query({ with_mutual_guilds: 'true', with_mutual_friends: 'true', with_mutual_friends_count: 'true' })}`,
  );
export const modifyMe = (body: ModifyCurrentUser) => api<User>('PATCH', '/users/@me', body);
/** How the user is notified in a guild and its channels (answers with the whole settings). */
export const modifyGuildSettings = (guildId: string, body: ModifyUserGuildSettings) =>
  api<UserGuildSettings>('PATCH', `/users/@me/guilds/${guildId}/settings`, body);
export const changePassword = (body: Static<typeof ChangePassword>) => api<User>('PATCH', '/users/@me', body);
/** Deactivates the account (hidden until its owner signs in again); the password confirms it. */
export const deactivateAccount = (password: string) => api<void>('POST', '/users/@me/disable', { password });
/** The caller's newest archive of their data and when they may ask for another (ADR 0051). */
export interface ArchiveStatus {
  archive: {
    id: string;
    state: 'pending' | 'ready' | 'failed';
    created_at: string;
    completed_at: string | null;
    expires_at: string | null;
    size: number | null;
    download_url: string | null;
  } | null;
  next_request_at: string | null;
}
export const getArchive = () => mastodon<ArchiveStatus>('GET', '/v1/hearth/account/archive');
export const requestArchive = () => mastodon<ArchiveStatus>('POST', '/v1/hearth/account/archive');
/** Mastodon's CSV exports, by file name. */
export const CSV_EXPORTS = [
  ['following.csv', 'Follows'],
  ['followers.csv', 'Followers'],
  ['lists.csv', 'Lists'],
  ['blocks.csv', 'Blocked accounts'],
  ['mutes.csv', 'Muted accounts'],
  ['domain_blocks.csv', 'Blocked domains'],
  ['bookmarks.csv', 'Bookmarks'],
] as const;
/** A CSV import (Mastodon's kinds) and how far its job has come (ADR 0051 addendum). */
export interface AccountImport {
  id: string;
  type: string;
  mode: 'merge' | 'overwrite';
  state: 'pending' | 'finished';
  total_rows: number;
  processed_rows: number;
  imported_rows: number;
  failed_rows: number;
  failures: Array<{ row: number; value: string; error: string }>;
  created_at: string;
  finished_at: string | null;
}
/** What can be imported, by Mastodon's type names. */
export const IMPORT_TYPES = [
  ['following', 'Follows'],
  ['lists', 'Lists'],
  ['blocks', 'Blocked accounts'],
  ['mutes', 'Muted accounts'],
  ['domain_blocks', 'Blocked domains'],
  ['bookmarks', 'Bookmarks'],
] as const;
export const getImports = () => mastodon<AccountImport[]>('GET', '/v1/hearth/imports');
export const startImport = (type: string, mode: 'merge' | 'overwrite', file: File) => {
  const form = new FormData();
  form.append('type', type);
  form.append('mode', mode);
  form.append('data', file, file.name);
  return mastodon<AccountImport>('POST', '/v1/hearth/imports', form);
};
/** Deletes the account for good; the password confirms it. */
export const deleteAccount = (password: string) => api<void>('POST', '/users/@me/delete', { password });
export const sendFriendRequest = (username: string) =>
  api<void>('POST', '/users/@me/relationships', { username });
/** Accepts a request or sends one (`{}`), or blocks (`{type: 2}`). */
export const putRelationship = (userId: string, body: { type?: 2 } = {}) =>
  api<void>('PUT', `/users/@me/relationships/${userId}`, body);
export const removeRelationship = (userId: string) =>
  api<void>('DELETE', `/users/@me/relationships/${userId}`);
export const openDm = (recipientId: string) =>
  api<Channel>('POST', '/users/@me/channels', { recipient_id: recipientId });
export const createGroupDm = (recipients: string[]) =>
  api<Channel>('POST', '/users/@me/channels', { recipients });
export const addRecipient = (channelId: string, userId: string) =>
  api<void>('PUT', `/channels/${channelId}/recipients/${userId}`);
export const removeRecipient = (channelId: string, userId: string) =>
  api<void>('DELETE', `/channels/${channelId}/recipients/${userId}`);

// ---- Guilds ----

export const createGuild = (body: CreateGuild) => api<Guild>('POST', '/guilds', body);
export const modifyGuild = (guildId: string, body: ModifyGuild) =>
  api<Guild>('PATCH', `/guilds/${guildId}`, body);
export const getGuildChannels = (guildId: string) => api<Channel[]>('GET', `/guilds/${guildId}/channels`);
export const createChannel = (guildId: string, body: CreateChannel) =>
  api<Channel>('POST', `/guilds/${guildId}/channels`, body);
export const createRole = (guildId: string, body: CreateRole) =>
  api<Role>('POST', `/guilds/${guildId}/roles`, body);
export const modifyRole = (guildId: string, roleId: string, body: ModifyRole) =>
  api<Role>('PATCH', `/guilds/${guildId}/roles/${roleId}`, body);
export const moveRoles = (guildId: string, body: RolePositions) =>
  api<Role[]>('PATCH', `/guilds/${guildId}/roles`, body);
export const modifyMember = (guildId: string, userId: string, body: ModifyMember) =>
  api<void>('PATCH', `/guilds/${guildId}/members/${userId}`, body);
/** The media negotiation of one's voice state (ADR 0034): a WebRTC offer answered by the SFU. */
/** The WebRTC offer, sent to the process holding the room (VOICE_SERVER_UPDATE's endpoint; ADR 0034). */
export const ringCall = (channelId: string, recipients: string[] | null = null) =>
  api<void>('POST', `/channels/${channelId}/call/ring`, { recipients });
/** Declines a call (one's own ring), or stops ringing `recipients`. */
export const stopRinging = (channelId: string, recipients?: string[]) =>
  api<void>('POST', `/channels/${channelId}/call/stop-ringing`, recipients ? { recipients } : {});
export const voiceConnect = (body: Static<typeof VoiceConnect>, endpoint: string | null) =>
  api<{ sdp: string }>('POST', '/voice/connect', body, {
    base: !endpoint || endpoint === location.host ? '/api/v10' : `${location.protocol}//${endpoint}/api/v10`,
  });
export const kick = (guildId: string, userId: string, opts?: ApiOptions) =>
  api<void>('DELETE', `/guilds/${guildId}/members/${userId}`, undefined, opts);
export const ban = (guildId: string, userId: string, body: Static<typeof CreateBan>, opts?: ApiOptions) =>
  api<void>('PUT', `/guilds/${guildId}/bans/${userId}`, body, opts);
export const unban = (guildId: string, userId: string) =>
  api<void>('DELETE', `/guilds/${guildId}/bans/${userId}`);
export const listBans = (guildId: string) => api<BanRow[]>('GET', `/guilds/${guildId}/bans`);
export const listGuildInvites = (guildId: string) => api<InviteRow[]>('GET', `/guilds/${guildId}/invites`);
export const getAuditLog = (guildId: string, limit = 50) =>
  api<{ audit_log_entries: AuditLogRow[] }>('GET', `/guilds/${guildId}/audit-logs${query({ limit })}`);
export const searchGuild = (guildId: string, q: SearchQuery) =>
  api<SearchResult>('GET', `/guilds/${guildId}/messages/search${query({ ...q })}`);
export const listGuildWebhooks = (guildId: string) => api<WebhookRow[]>('GET', `/guilds/${guildId}/webhooks`);

// ---- Groups (ADR 0031) ----

export const discoverGroups = (q: { query?: string; tag?: string; limit?: number; offset?: number }) =>
  api<DiscoverableGuilds>('GET', `/discoverable-guilds${query({ ...q })}`);
/** Discord's guild preview: a listed group's name, description and counts, for members and non-members alike. */
export const getGuildPreview = (guildId: string) =>
  api<{
    id: string;
    name: string;
    icon: string | null;
    banner: string | null;
    description: string | null;
    approximate_member_count: number;
  }>('GET', `/guilds/${guildId}/preview`);
/** The guild's unarchived threads the caller can see (a public group's feed posts, for a previewing reader too). */
export const getActiveThreads = (guildId: string) =>
  api<{ threads: Channel[]; members: ThreadMember[] }>('GET', `/guilds/${guildId}/threads/active`);
/** Joins a public group; answers the member (201) or nothing when already one (204). */
export const joinGroup = (guildId: string) => api<unknown>('PUT', `/guilds/${guildId}/members/@me`);
export const requestToJoin = (guildId: string) =>
  api<GuildJoinRequest>('PUT', `/guilds/${guildId}/requests/@me`);
export const withdrawJoinRequest = (guildId: string) =>
  api<void>('DELETE', `/guilds/${guildId}/requests/@me`);
export const listJoinRequests = (guildId: string) =>
  api<{ guild_join_requests: GuildJoinRequest[]; total: number }>(
    'GET',
    `/guilds/${guildId}/requests${query({ status: 'SUBMITTED' })}`,
  );
/** Reports a guild message to its moderators (Hearth's route, ADR 0031). */
export const reportMessage = (channelId: string, messageId: string, reason: string) =>
  api<MessageReport>('POST', `/channels/${channelId}/messages/${messageId}/reports`, { reason });
export const listReports = (guildId: string) => api<MessageReport[]>('GET', `/guilds/${guildId}/reports`);
export const updateReport = (guildId: string, reportId: string, status: 'resolved' | 'dismissed') =>
  api<MessageReport>('PATCH', `/guilds/${guildId}/reports/${reportId}`, { status });
export const actionJoinRequest = (
  guildId: string,
  requestId: string,
  body: { action: 'APPROVED' | 'REJECTED'; rejection_reason?: string | null },
) => api<GuildJoinRequest>('PATCH', `/guilds/${guildId}/requests/${requestId}`, body);

// ---- Channels ----

export const getChannel = (channelId: string) => api<Channel>('GET', `/channels/${channelId}`);
export const modifyChannel = (channelId: string, body: ModifyChannel) =>
  api<Channel>('PATCH', `/channels/${channelId}`, body);
/** Leaves a server (its owner cannot). */
export const leaveGuild = (guildId: string) => api<void>('DELETE', `/users/@me/guilds/${guildId}`);

/** Deletes a guild channel, or closes a DM / leaves a group DM. */
export const deleteChannel = (channelId: string) => api<Channel>('DELETE', `/channels/${channelId}`);
export const editOverwrite = (channelId: string, targetId: string, body: EditOverwrite) =>
  api<void>('PUT', `/channels/${channelId}/permissions/${targetId}`, body);
export const deleteOverwrite = (channelId: string, targetId: string) =>
  api<void>('DELETE', `/channels/${channelId}/permissions/${targetId}`);
export const createInvite = (channelId: string, body: CreateInvite) =>
  api<Invite>('POST', `/channels/${channelId}/invites`, body);
export const createWebhook = (channelId: string, name: string) =>
  api<WebhookRow>('POST', `/channels/${channelId}/webhooks`, { name });
export const typing = (channelId: string) => api<void>('POST', `/channels/${channelId}/typing`);

// ---- Messages ----

export const getMessages = (
  channelId: string,
  page: { limit: number; before?: string; after?: string; around?: string },
) => api<Message[]>('GET', `/channels/${channelId}/messages${query(page)}`);
export const createMessage = (channelId: string, body: CreateMessage) =>
  api<Message>('POST', `/channels/${channelId}/messages`, body);
export const editMessage = (channelId: string, messageId: string, body: EditMessage) =>
  api<Message>('PATCH', `/channels/${channelId}/messages/${messageId}`, body);
export const deleteMessage = (channelId: string, messageId: string) =>
  api<void>('DELETE', `/channels/${channelId}/messages/${messageId}`);
export const ack = (channelId: string, messageId: string) =>
  api<void>('POST', `/channels/${channelId}/messages/${messageId}/ack`, {});
/** Discord's manual ack: the read position set back to `messageId` (the message before the first unread one). */
export const markUnread = (channelId: string, messageId: string) =>
  api<void>('POST', `/channels/${channelId}/messages/${messageId}/ack`, { manual: true });
export const react = (channelId: string, messageId: string, emoji: ReactionEmoji) =>
  api<void>('PUT', `/channels/${channelId}/messages/${messageId}/reactions/${emojiSegment(emoji)}/@me`);
export const unreact = (channelId: string, messageId: string, emoji: ReactionEmoji) =>
  api<void>('DELETE', `/channels/${channelId}/messages/${messageId}/reactions/${emojiSegment(emoji)}/@me`);
export const getPins = (channelId: string) => api<Message[]>('GET', `/channels/${channelId}/pins`);
export const pin = (channelId: string, messageId: string) =>
  api<void>('PUT', `/channels/${channelId}/pins/${messageId}`);
export const unpin = (channelId: string, messageId: string) =>
  api<void>('DELETE', `/channels/${channelId}/pins/${messageId}`);

// ---- Threads ----

/** POST …/threads: a thread's name and how long it stays active without messages (minutes). */
export interface CreateThread {
  name: string;
  auto_archive_duration?: 60 | 1440 | 4320 | 10080;
  type?: number;
}
export const createThreadFromMessage = (channelId: string, messageId: string, body: CreateThread) =>
  api<Channel>('POST', `/channels/${channelId}/messages/${messageId}/threads`, body);
export const createThread = (channelId: string, body: CreateThread) =>
  api<Channel>('POST', `/channels/${channelId}/threads`, body);
/** Joins a thread (PUT thread-members/@me): it is then listed under its channel. */
export const joinThread = (threadId: string) => api<void>('PUT', `/channels/${threadId}/thread-members/@me`);
/** Leaves a thread (DELETE thread-members/@me). */
export const leaveThread = (threadId: string) =>
  api<void>('DELETE', `/channels/${threadId}/thread-members/@me`);
/** A post in a forum channel: its title, tags and first message, created together. */
export const createForumPost = (
  forumId: string,
  body: { name: string; applied_tags?: string[]; message: CreateMessage },
) => api<Channel & { message: Message }>('POST', `/channels/${forumId}/threads`, body);
export const getMessage = (channelId: string, messageId: string) =>
  api<Message>('GET', `/channels/${channelId}/messages/${messageId}`);

// ---- Invites ----

export const getInvite = (inviteCode: string) =>
  api<Invite>('GET', `/invites/${code(inviteCode)}${query({ with_counts: 'true' })}`);
export const acceptInvite = (inviteCode: string) => api<Invite>('POST', `/invites/${code(inviteCode)}`);
export const deleteInvite = (inviteCode: string) => api<Invite>('DELETE', `/invites/${code(inviteCode)}`);

// ---- Webhooks ----

export const modifyWebhook = (webhookId: string, body: ModifyWebhook) =>
  api<WebhookRow>('PATCH', `/webhooks/${webhookId}`, body);
export const deleteWebhook = (webhookId: string) => api<void>('DELETE', `/webhooks/${webhookId}`);

// ---- Applications (the developer portal) and a guild's installed apps ----

export type { Application, Integration };
export type CommandIndex = ApplicationCommandIndex;

export const listApplications = () => api<Application[]>('GET', '/applications');
export const getApplication = (id: string) => api<Application>('GET', `/applications/${id}`);
export const createApplication = (name: string) => api<Application>('POST', '/applications', { name });
export const modifyApplication = (id: string, body: ModifyApplication) =>
  api<Application>('PATCH', `/applications/${id}`, body);
export const deleteApplication = (id: string) => api<void>('DELETE', `/applications/${id}`);
export const resetBotToken = (id: string) => api<{ token: string }>('POST', `/applications/${id}/bot/reset`);
export const guildIntegrations = (guildId: string) =>
  api<Integration[]>('GET', `/guilds/${guildId}/integrations`);
export const guildCommandIndex = (guildId: string) =>
  api<CommandIndex>('GET', `/guilds/${guildId}/application-command-index`);
/** In a DM or group DM: the DM bot's commands usable there (BOT_DM) and those of the person's installed apps. */
export const channelCommandIndex = (channelId: string) =>
  api<CommandIndex>('GET', `/channels/${channelId}/application-command-index`);
/** A person invokes a command, uses a component, asks for autocomplete or submits a modal (204; the rest comes by the gateway). */
/** Invokes; with files (attachment options), as Discord's client does: payload_json first, then `files[n]`. */
export const createInteraction = (body: CreateInteraction, files: File[] = []) => {
  if (!files.length) return api<void>('POST', '/interactions', body);
  const form = new FormData();
  form.append('payload_json', JSON.stringify(body));
  files.forEach((f, i) => {
    form.append(`files[${i}]`, f, f.name);
  });
  return api<void>('POST', '/interactions', form);
};
/** What the authorize screen shows: the application a link names, and its bot. */
/** One installation context's settings (Discord's `integration_types_config` entries: "0" guild, "1" account). */
export type IntegrationTypesConfig = Partial<
  Record<'0' | '1', { oauth2_install_params?: { scopes: string[]; permissions: string } }>
>;
export const authorizePreview = (clientId: string) =>
  api<{
    application: {
      id: string;
      name: string;
      icon: string | null;
      description: string;
      bot_public: boolean;
      integration_types_config: IntegrationTypesConfig;
    };
    bot: User;
  }>('GET', `/oauth2/authorize${query({ client_id: clientId })}`);
/** The authorize screen's POST (Discord's): adds the application's bot to a guild with the permissions chosen. */
export const authorizeBot = (params: {
  clientId: string;
  scope: string;
  guildId: string;
  permissions: string;
}) =>
  api<{ location: string }>(
    'POST',
    `/oauth2/authorize${query({ client_id: params.clientId, scope: params.scope })}`,
    { guild_id: params.guildId, permissions: params.permissions, authorize: true },
  );
/** The authorize screen's POST with integration type 1: installs the application to the person's own account. */
export const installToAccount = (clientId: string) =>
  api<{ location: string }>(
    'POST',
    `/oauth2/authorize${query({ client_id: clientId, scope: 'applications.commands', integration_type: '1' })}`,
    { authorize: true, integration_type: 1 },
  );
/** An application installed to the person's account, as Settings → Authorized apps lists it. */
export interface AuthorizedApp {
  id: string;
  scopes: string[];
  integration_type: 1;
  application: { id: string; name: string; icon: string | null; description: string; bot?: User };
}
export const authorizedApps = () => api<AuthorizedApp[]>('GET', '/oauth2/tokens');
export const removeAuthorizedApp = (id: string) => api<void>('DELETE', `/oauth2/tokens/${id}`);

// ---- Social: the Mastodon client API (docs/mastodon-api.md), with the web session's own token ----

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';

/** Mastodon's Account, as much of it as the app reads; `hearth` carries the name prefix and suffix. */
export interface Account {
  id: string;
  username: string;
  acct: string;
  url: string;
  display_name: string;
  /** HTML: paragraphs, links, mentions and hashtags. */
  note: string;
  avatar: string;
  header: string;
  locked: boolean;
  discoverable: boolean | null;
  fields: Array<{ name: string; value: string }>;
  created_at: string;
  statuses_count: number;
  followers_count: number;
  following_count: number;
  hearth?: { name_prefix: string | null; name_suffix: string | null };
}

/** verify_credentials: the account with what the profile editor shows. */
export interface CredentialAccount extends Account {
  source: {
    note: string | null;
    fields: Array<{ name: string; value: string }>;
    follow_requests_count: number;
    discoverable: boolean | null;
  };
}

export interface Status {
  id: string;
  url: string;
  created_at: string;
  edited_at: string | null;
  account: Account;
  /** HTML: paragraphs, links, mentions and hashtags. */
  content: string;
  visibility: Visibility;
  sensitive: boolean;
  spoiler_text: string;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  mentions: Array<{ id: string; username: string; acct: string; url: string }>;
  media_attachments: MediaAttachment[];
  favourites_count: number;
  replies_count: number;
  reblogs_count: number;
  favourited: boolean;
  reblogged?: boolean;
  bookmarked?: boolean;
  /** Emoji reactions (Pleroma's): each emoji with its count and whether the reader is among them. */
  pleroma?: { emoji_reactions?: EmojiReaction[] };
  /** A boost: the boosted status (this one's own content is empty). */
  reblog?: Status | null;
  /** Hearth's own: a group's post (ADR 0031); `account` is then the group's account (`group: true`). */
  hearth_group_post?: GroupPostInfo;
}

/** A group post on a timeline: the group, the forum and thread it is, its title and who wrote it. */
export interface GroupPostInfo {
  group_id: string;
  group_name: string;
  forum_id: string | null;
  /** The post (the forum thread) a status is or comments on. */
  post_id: string;
  title: string;
  author: Account | null;
}

interface EmojiReaction {
  name: string;
  count: number;
  me: boolean;
  /** A custom emoji's image; null for Unicode. */
  url: string | null;
}

export interface MediaAttachment {
  id: string;
  type: 'image' | 'gifv' | 'video' | 'audio' | 'unknown' | string;
  url: string | null;
  preview_url?: string | null;
  description?: string | null;
  blurhash?: string | null;
}

export interface StatusEdit {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: Account;
}

export interface SocialRelationship {
  id: string;
  following: boolean;
  requested: boolean;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
}

export interface SocialNotification {
  id: string;
  type: 'follow' | 'follow_request' | 'favourite' | 'mention' | 'reblog' | 'status' | 'update' | string;
  created_at: string;
  account: Account;
  status: Status | null;
}

export interface PageQuery {
  max_id?: string;
  limit?: number;
}

export const getInstance = () =>
  mastodon<{ uri: string; configuration: { statuses: { max_characters: number } } }>('GET', '/v1/instance');
export const verifyCredentials = () => mastodon<CredentialAccount>('GET', '/v1/accounts/verify_credentials');
/** JSON, or a multipart form when an avatar or header file is sent. */
export const updateCredentials = (body: MastodonUpdateCredentials | FormData) =>
  mastodon<CredentialAccount>('PATCH', '/v1/accounts/update_credentials', body);
export const lookupAccount = (acct: string) =>
  mastodon<Account>('GET', `/v1/accounts/lookup${query({ acct })}`);
export const accountStatuses = (
  accountId: string,
  q: PageQuery & { exclude_replies?: boolean; only_media?: boolean },
) =>
  mastodonPage<Status>(
    `/v1/accounts/${accountId}/statuses${query({
      ...q,
      exclude_replies: q.exclude_replies ? 'true' : undefined,
      only_media: q.only_media ? 'true' : undefined,
    })}`,
  );
export const accountFollows = (accountId: string, which: 'followers' | 'following', q: PageQuery) =>
  mastodonPage<Account>(`/v1/accounts/${accountId}/${which}${query({ ...q })}`);
export const socialRelationships = (ids: string[]) =>
  mastodon<SocialRelationship[]>('GET', `/v1/accounts/relationships${query({ 'id[]': ids })}`);
export const follow = (accountId: string) =>
  mastodon<SocialRelationship>('POST', `/v1/accounts/${accountId}/follow`);
export const unfollow = (accountId: string) =>
  mastodon<SocialRelationship>('POST', `/v1/accounts/${accountId}/unfollow`);
export const followRequests = (q: PageQuery) =>
  mastodonPage<Account>(`/v1/follow_requests${query({ ...q })}`);
export const answerFollowRequest = (accountId: string, accept: boolean) =>
  mastodon<SocialRelationship>('POST', `/v1/follow_requests/${accountId}/${accept ? 'authorize' : 'reject'}`);

export const createStatus = (body: MastodonCreateStatus, idempotencyKey: string) =>
  mastodon<Status>('POST', '/v1/statuses', body, { idempotencyKey });
export const editStatus = (statusId: string, body: Pick<MastodonCreateStatus, 'status' | 'spoiler_text'>) =>
  mastodon<Status>('PUT', `/v1/statuses/${statusId}`, body);
export const deleteStatus = (statusId: string) => mastodon<Status>('DELETE', `/v1/statuses/${statusId}`);
export const getStatus = (statusId: string) => mastodon<Status>('GET', `/v1/statuses/${statusId}`);
export const statusContext = (statusId: string) =>
  mastodon<{ ancestors: Status[]; descendants: Status[] }>('GET', `/v1/statuses/${statusId}/context`);
export const statusHistory = (statusId: string) =>
  mastodon<StatusEdit[]>('GET', `/v1/statuses/${statusId}/history`);
export const favourite = (statusId: string, on: boolean) =>
  mastodon<Status>('POST', `/v1/statuses/${statusId}/${on ? 'favourite' : 'unfavourite'}`);

/** Uploads a file (`file`, `description`) for a status to come; the answer has its `url` set. */
export const uploadMedia = (form: FormData, onProgress: (fraction: number) => void) =>
  upload<MediaAttachment>('/v2/media', form, onProgress, '/api');
export const describeMedia = (mediaId: string, description: string) =>
  mastodon<MediaAttachment>('PUT', `/v1/media/${mediaId}`, { description });
/** Deletes an upload not attached to a status yet. */
export const deleteMedia = (mediaId: string) => mastodon<unknown>('DELETE', `/v1/media/${mediaId}`);

/**
 * One of the reader's uploads as the media library lists it: the status that uses it (`status_id`; `references` is
 * 0 or 1, as a media belongs to one status), and `trashed_at` when it is in the trash.
 */
export interface LibraryMedia extends MediaAttachment {
  status_id: string | null;
  references: number;
  created_at: string;
  size: number;
  content_type: string;
  trashed_at: string | null;
}
/** The reader's uploads (or those in the trash), newest first. */
export const mediaLibrary = (trash: boolean, q: PageQuery) =>
  mastodonPage<LibraryMedia>(`/v1/hearth/media${query({ ...q, trash: trash ? 'true' : undefined })}`);
/** Alt text of one's upload, attached to a post or not (the post's readers see it at once). */
export const describeLibraryMedia = (mediaId: string, description: string) =>
  mastodon<LibraryMedia>('PUT', `/v1/hearth/media/${mediaId}`, { description });
/** Moves an upload to the trash (it leaves its post) or restores it. */
export const trashMedia = (mediaId: string, on: boolean) =>
  mastodon<LibraryMedia>('POST', `/v1/hearth/media/${mediaId}/${on ? 'trash' : 'restore'}`);
/** Deletes an upload in the trash for good: its files go too. */
export const deleteTrashedMedia = (mediaId: string) =>
  mastodon<unknown>('DELETE', `/v1/hearth/media/${mediaId}`);

/** Boosting answers the boost (the status nested in `reblog`), unboosting the status itself. */
export const reblog = (statusId: string, on: boolean) =>
  mastodon<Status>('POST', `/v1/statuses/${statusId}/${on ? 'reblog' : 'unreblog'}`);

export const homeTimeline = (q: PageQuery) => mastodonPage<Status>(`/v1/timelines/home${query({ ...q })}`);
/** This server's public timeline (Hearth has no other servers' posts yet). */
export const localTimeline = (q: PageQuery) =>
  mastodonPage<Status>(`/v1/timelines/public${query({ ...q, local: 'true' })}`);

/** Public statuses with hashtag `tag`, newest first. */
export const tagTimeline = (tag: string, q: PageQuery) =>
  mastodonPage<Status>(`/v1/timelines/tag/${encodeURIComponent(tag)}${query({ ...q })}`);
/** Adds (or takes back) the reader's emoji reaction (Pleroma's route); answers the status. */
export const reactToStatus = (statusId: string, emoji: string, on: boolean) =>
  mastodon<Status>(
    on ? 'PUT' : 'DELETE',
    `/v1/pleroma/statuses/${statusId}/reactions/${encodeURIComponent(emoji)}`,
  );
export const bookmarks = (q: PageQuery) => mastodonPage<Status>(`/v1/bookmarks${query({ ...q })}`);
export const bookmark = (statusId: string, on: boolean) =>
  mastodon<Status>('POST', `/v1/statuses/${statusId}/${on ? 'bookmark' : 'unbookmark'}`);

/** A hashtag as Mastodon describes it; `following`: the reader follows it. */
export interface Tag {
  name: string;
  url: string;
  following: boolean;
  history: Array<{ day: string; uses: string; accounts: string }>;
}
export const getTag = (name: string) => mastodon<Tag>('GET', `/v1/tags/${encodeURIComponent(name)}`);
export const followTag = (name: string, on: boolean) =>
  mastodon<Tag>('POST', `/v1/tags/${encodeURIComponent(name)}/${on ? 'follow' : 'unfollow'}`);
export const followedTags = () => mastodonPage<Tag>('/v1/followed_tags');

/** How many results of each kind one search answers. */
export const SEARCH_PAGE = 20;
/** Accounts, hashtags and statuses matching `q` (Mastodon's search v2; statuses by full text). */
export const searchSocial = (q: string) =>
  mastodon<{ accounts: Account[]; hashtags: Tag[]; statuses: Status[] }>(
    'GET',
    `/v2/search${query({ q, limit: SEARCH_PAGE })}`,
  );
/** More statuses matching `q`, older than `maxId`. */
export const searchMoreStatuses = (q: string, maxId: string) =>
  mastodon<{ statuses: Status[] }>(
    'GET',
    `/v2/search${query({ q, type: 'statuses', max_id: maxId, limit: SEARCH_PAGE })}`,
  );
/** Discoverable accounts, those who posted last first. */
export const profileDirectory = () =>
  mastodon<Account[]>('GET', `/v1/directory${query({ order: 'active', limit: 40 })}`);

export const socialNotifications = (q: PageQuery) =>
  mastodonPage<SocialNotification>(`/v1/notifications${query({ ...q })}`);
export const unreadNotifications = () => mastodon<{ count: number }>('GET', '/v1/notifications/unread_count');
/** Marks the notifications up to `lastReadId` read (Mastodon's `notifications` marker). */
export const markNotificationsRead = (lastReadId: string) =>
  mastodon<unknown>('POST', '/v1/markers', { notifications: { last_read_id: lastReadId } });

/** A list of accounts one follows, with its own timeline (Mastodon's List). */
export interface SocialList {
  id: string;
  title: string;
  replies_policy: 'followed' | 'list' | 'none';
  exclusive: boolean;
}
export type SocialListInput = Partial<Omit<SocialList, 'id'>>;
export const socialLists = () => mastodon<SocialList[]>('GET', '/v1/lists');
export const getSocialList = (id: string) => mastodon<SocialList>('GET', `/v1/lists/${id}`);
export const createSocialList = (body: SocialListInput) => mastodon<SocialList>('POST', '/v1/lists', body);
export const updateSocialList = (id: string, body: SocialListInput) =>
  mastodon<SocialList>('PUT', `/v1/lists/${id}`, body);
export const deleteSocialList = (id: string) => mastodon<unknown>('DELETE', `/v1/lists/${id}`);
/** Every account on a list (`limit=0`: unpaged). */
export const socialListAccounts = (id: string) =>
  mastodon<Account[]>('GET', `/v1/lists/${id}/accounts${query({ limit: 0 })}`);
export const setOnSocialList = (id: string, accountId: string, on: boolean) =>
  mastodon<unknown>(on ? 'POST' : 'DELETE', `/v1/lists/${id}/accounts`, { account_ids: [accountId] });
export const listTimeline = (id: string, q: PageQuery) =>
  mastodonPage<Status>(`/v1/timelines/list/${id}${query({ ...q })}`);

/** A thread of direct statuses as one participant sees it (Mastodon's Conversation). */
export interface SocialConversation {
  id: string;
  unread: boolean;
  accounts: Account[];
  last_status: Status | null;
}
export const socialConversations = (q: PageQuery) =>
  mastodonPage<SocialConversation>(`/v1/conversations${query({ ...q })}`);
export const readSocialConversation = (id: string) =>
  mastodon<SocialConversation>('POST', `/v1/conversations/${id}/read`);
export const deleteSocialConversation = (id: string) =>
  mastodon<unknown>('DELETE', `/v1/conversations/${id}`);
// ---- Domain blocks (ADR 0040): one's own, and the instance's for its admins ----

export interface AdminDomainBlock {
  id: string;
  domain: string;
  severity: string;
  created_at: string;
  private_comment: string | null;
}
export const myDomainBlocks = () => mastodon<string[]>('GET', '/v1/domain_blocks');
export const blockDomain = (domain: string) => mastodon<object>('POST', '/v1/domain_blocks', { domain });
export const unblockDomain = (domain: string) =>
  mastodon<object>('DELETE', `/v1/domain_blocks?domain=${encodeURIComponent(domain)}`);
export const instanceDomainBlocks = () => mastodon<AdminDomainBlock[]>('GET', '/v1/admin/domain_blocks');
export const blockInstanceDomain = (domain: string, severity: 'silence' | 'suspend') =>
  mastodon<AdminDomainBlock>('POST', '/v1/admin/domain_blocks', { domain, severity });
/** An instance Hearth knows, as its admins see it. */
export type KnownInstance = HearthKnownInstance;
export const knownInstances = () => mastodon<KnownInstance[]>('GET', '/v1/hearth/admin/instances');
export const unblockInstanceDomain = (id: string) =>
  mastodon<AdminDomainBlock>('DELETE', `/v1/admin/domain_blocks/${id}`);
