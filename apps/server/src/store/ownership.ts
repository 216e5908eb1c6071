import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import {
  applicationCommandPermissions,
  applicationCommands,
  attachments,
  auditLogEntries,
  bans,
  calls,
  callVoiceStates,
  channelRecipients,
  channels,
  cloudUploads,
  dmPairs,
  emojiRoles,
  emojis,
  ephemeralMessages,
  guildJoinRequests,
  interactions,
  invites,
  memberRoles,
  members,
  mentions,
  messageReports,
  messages,
  permissionOverwrites,
  reactions,
  readStates,
  roles,
  scheduledEvents,
  scheduledEventUsers,
  stickers,
  threadMembers,
  userGuildSettings,
  voiceStates,
  webhooks,
} from './schema';

/** A table whose rows belong to one channel, by its channel_id. */
export type ChannelOwnedTable = PgTable & { channelId: PgColumn };
/** A table whose rows belong to one guild, by its guild_id. */
export type GuildOwnedTable = PgTable & { guildId: PgColumn };

/**
 * What a channel (guild channel, thread, DM or group DM) owns: every table whose rows die with it, found by
 * channel_id. Deleting a channel deletes these rows first (the guild's system and AFK channel columns, which name
 * a channel without belonging to it, are cleared by the channel delete itself).
 */
export const channelOwned: readonly ChannelOwnedTable[] = [
  reactions,
  mentions,
  attachments,
  // Files announced for upload and not yet used (their bytes are under the channel's attachments folder).
  cloudUploads,
  messages,
  readStates,
  threadMembers,
  webhooks,
  permissionOverwrites,
  invites,
  channelRecipients,
  dmPairs,
  // An event hosted in a channel goes with it (its interested users first: deleteChannelContent).
  scheduledEvents,
  // Who is in a voice channel (a channel delete announces their leaving first: ChannelsService.delete).
  voiceStates,
  // A DM's call and who is in it (a DM is deleted only once nobody is a recipient).
  callVoiceStates,
  calls,
  // Interactions in it and their ephemeral answers (ADR 0039).
  ephemeralMessages,
  interactions,
  // Reports of its messages (ADR 0031).
  messageReports,
];

/**
 * What a guild owns besides its channels' content (channelOwned, deleted first for every channel of the guild):
 * every table whose rows die with it, found by guild_id, its channels among them. The guild row goes last.
 */
export const guildOwned: readonly GuildOwnedTable[] = [
  channels,
  memberRoles,
  members,
  roles,
  bans,
  guildJoinRequests,
  // Its members' notification settings for it (ADR 0043).
  userGuildSettings,
  auditLogEntries,
  emojiRoles,
  emojis,
  stickers,
  scheduledEventUsers,
  scheduledEvents,
  // Its applications' commands of this guild, and the overwrites of every application's commands here.
  applicationCommands,
  applicationCommandPermissions,
];
