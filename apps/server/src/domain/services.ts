import { ApplicationEmojisService } from './applications/application-emojis.service';
import { ApplicationsService } from './applications/applications.service';
import { CommandPermissionsService } from './applications/command-permissions.service';
import { CommandsService } from './applications/commands.service';
import { UserInstallsService } from './applications/user-installs.service';
import { AuthService } from './auth/auth.service';
import type { Deps } from './deps';
import { DmsService } from './dms/dms.service';
import { SessionDataService } from './gateway/session-data.service';
import { AuditLogService } from './guilds/audit-log.service';
import { BansService } from './guilds/bans.service';
import { BotAuthorizationService } from './guilds/bot-authorization.service';
import { ChannelsService } from './guilds/channels.service';
import { EmojisService } from './guilds/emojis.service';
import { GroupsService } from './guilds/groups.service';
import { GuildInfoService } from './guilds/guild-info.service';
import { GuildsService } from './guilds/guilds.service';
import { InvitesService } from './guilds/invites.service';
import { MembersService } from './guilds/members.service';
import { ReportsService } from './guilds/reports.service';
import { RolesService } from './guilds/roles.service';
import { ScheduledEventsService } from './guilds/scheduled-events.service';
import { StickersService } from './guilds/stickers.service';
import { ImagesService } from './images';
import { EndpointOrGatewayDelivery, GatewayInteractionDelivery } from './interactions/interaction-delivery';
import { InteractionsService } from './interactions/interactions.service';
import { LinkPreviewsService } from './messages/link-previews.service';
import { MessagesService } from './messages/messages.service';
import { PinsService } from './messages/pins.service';
import { ReactionsService } from './messages/reactions.service';
import { ReadStatesService } from './messages/read-states.service';
import { SearchService } from './messages/search.service';
import { PresenceService } from './presence/presence.service';
import { RelationshipsService } from './relationships/relationships.service';
import { AccountReportsService } from './social/account-reports.service';
import { DomainBlocksService } from './social/domain-blocks.service';
import { FollowedTagsService } from './social/followed-tags.service';
import { FollowsService } from './social/follows.service';
import { GroupAccountsService } from './social/group-accounts.service';
import { InstancesService } from './social/instances.service';
import { ListsService } from './social/lists.service';
import { BookmarksService, StatusPinsService } from './social/marks.service';
import { MovesService } from './social/moves.service';
import { MutesService } from './social/mutes.service';
import { NotificationsService } from './social/notifications.service';
import { OAuthService } from './social/oauth.service';
import { PostsService } from './social/posts.service';
import { ProfilesService } from './social/profiles.service';
import { StatusReactionsService } from './social/reactions.service';
import { ReblogsService } from './social/reblogs.service';
import { RemoteAccountsService } from './social/remote.service';
import { SocialSearchService } from './social/search.service';
import { StreamsService } from './social/streams.service';
import { TimelinesService } from './social/timelines.service';
import { ForumPostsService } from './threads/forum-posts.service';
import { ThreadsService } from './threads/threads.service';
import { AccountExportsService } from './users/exports.service';
import { GuildSettingsService } from './users/guild-settings.service';
import { AccountImportsService } from './users/imports.service';
import { AccountLifecycleService } from './users/lifecycle.service';
import { UsersService } from './users/users.service';
import { CallsService } from './voice/calls.service';
import { VoiceService } from './voice/voice.service';
import { WebhookMessagesService } from './webhooks/webhook-messages.service';
import { WebhooksService } from './webhooks/webhooks.service';

/** Every domain service, built once per process. */
export function createServices(deps: Deps) {
  const auth = new AuthService(deps);
  const emojis = new EmojisService(deps);
  const presence = new PresenceService(deps, deps.presence);
  const guilds = new GuildsService(deps, emojis, presence);
  const calls = new CallsService(deps);
  const voice = new VoiceService(deps, calls);
  const members = new MembersService(deps, voice);
  const dms = new DmsService(deps, calls);
  const notifications = new NotificationsService(deps);
  /** Groups as Mastodon accounts (ADR 0031); connected to the chat services below once they exist. */
  const groupAccounts = new GroupAccountsService(deps);
  const follows = new FollowsService(deps, notifications, groupAccounts);
  const relationships = new RelationshipsService(deps, follows);
  const threads = new ThreadsService(deps);
  const stickers = new StickersService(deps);
  const linkPreviews = new LinkPreviewsService(deps);
  const messages = new MessagesService(deps, dms, relationships, threads, stickers, linkPreviews);
  const webhooks = new WebhooksService(deps);
  const remote = new RemoteAccountsService(deps);
  const users = new UsersService(deps, auth, members);
  const profiles = new ProfilesService(deps, users, follows, groupAccounts);
  const posts = new PostsService(deps, notifications, groupAccounts);
  const timelines = new TimelinesService(deps, posts, groupAccounts);
  const socialSearch = new SocialSearchService(deps, posts, groupAccounts);
  const interactionDelivery = new EndpointOrGatewayDelivery(deps, new GatewayInteractionDelivery(deps));
  const interactions = new InteractionsService(deps, interactionDelivery);
  interactionDelivery.answerWith((id, token, answer) => interactions.callback(id, token, answer));
  const exports = new AccountExportsService(deps);
  const lists = new ListsService(deps, timelines);
  const bookmarks = new BookmarksService(deps, posts);
  const mutes = new MutesService(deps, follows);
  const domainBlocks = new DomainBlocksService(deps, follows);
  const services = {
    auth,
    users,
    /** Mastodon's CSV exports and the archive of an account's data (ADR 0051). */
    exports,
    /** Mastodon's CSV imports, worked through by the `accounts.import` job (ADR 0051 addendum). */
    imports: new AccountImportsService(deps, {
      profiles,
      follows,
      relationships,
      mutes,
      domainBlocks,
      bookmarks,
      lists,
    }),
    /** Deactivation and deletion of accounts (ADR 0049). */
    lifecycle: new AccountLifecycleService(deps, auth, follows, posts, remote, exports),
    /** Notification settings per guild (Discord's user guild settings). */
    guildSettings: new GuildSettingsService(deps),
    images: new ImagesService(deps),
    applications: new ApplicationsService(deps, members),
    applicationEmojis: new ApplicationEmojisService(deps),
    commands: new CommandsService(deps),
    commandPermissions: new CommandPermissionsService(deps),
    /** Applications people install to their own accounts (Discord's user install). */
    userInstalls: new UserInstallsService(deps),
    /** Interactions (ADR 0039): to the application's interactions endpoint when it has one (ADR 0038), else its bot's gateway. */
    interactions,
    guilds,
    members,
    guildInfo: new GuildInfoService(deps, guilds, members, emojis),
    channels: new ChannelsService(deps, dms, threads, voice),
    threads,
    forumPosts: new ForumPostsService(deps, threads, messages),
    roles: new RolesService(deps),
    invites: new InvitesService(deps, guilds, members, messages, presence),
    /** Groups' directory and join requests (ADR 0031). */
    groups: new GroupsService(deps, guilds, members, messages, presence),
    /** Members' reports of messages to moderators. */
    reports: new ReportsService(deps),
    messages,
    /** Previews of messages' links, and their images proxied (ADR 0044). */
    linkPreviews,
    pins: new PinsService(deps),
    relationships,
    reactions: new ReactionsService(deps),
    readStates: new ReadStatesService(deps),
    search: new SearchService(deps),
    emojis,
    stickers,
    scheduledEvents: new ScheduledEventsService(deps),
    dms,
    bans: new BansService(deps, members),
    auditLog: new AuditLogService(deps),
    botAuthorization: new BotAuthorizationService(deps, guilds, members, presence),
    voice,
    /** DM and group DM calls (issue 24). */
    calls,
    webhooks,
    webhookMessages: new WebhookMessagesService(deps, webhooks, threads),
    /** The social layer (ADR 0028). */
    social: {
      profiles,
      /** Aliases and account moves (ADR 0050). */
      moves: new MovesService(deps, auth, profiles, follows, notifications),
      follows,
      posts,
      /** Media attachments of statuses and the media library (ADR 0033). */
      media: posts.media,
      /** Polls on statuses. */
      polls: posts.polls,
      timelines,
      /** Lists and their timelines. */
      lists,
      /** Conversations of direct statuses. */
      conversations: posts.conversations,
      groupAccounts,
      notifications,
      oauth: new OAuthService(deps, auth),
      reblogs: new ReblogsService(deps, notifications, posts, groupAccounts),
      bookmarks,
      pins: new StatusPinsService(deps, posts),
      mutes,
      streams: new StreamsService(deps, notifications),
      /** Instance (admin) and users' own domain blocks (ADR 0040). */
      domainBlocks,
      /** Known instances: their traffic and the admins' view of them (ADR 0040). */
      instances: new InstancesService(deps),
      /** Reports of accounts, forwarded to and received from other instances as Flags (ADR 0050). */
      accountReports: new AccountReportsService(deps),
      /** Accounts of other instances and this one's actor keys (ADR 0040). */
      remote,
      /** Search, directory, trends and tag timelines. */
      search: socialSearch,
      /** Followed hashtags. */
      followedTags: new FollowedTagsService(deps, socialSearch),
      /** Emoji reactions (Pleroma's routes). */
      reactions: new StatusReactionsService(deps, notifications, posts),
    },
  };
  groupAccounts.connect({
    groups: services.groups,
    members,
    forumPosts: services.forumPosts,
    threads,
    messages,
    reactions: services.reactions,
  });
  return {
    ...services,
    sessionData: new SessionDataService(deps, { ...services, presence }),
    presence,
  };
}
export type Services = ReturnType<typeof createServices>;
