// What kind of channel a type is: the one home of these rules. TypeScript asks the predicates; SQL takes the
// same lists (`type in (…)`, see the server's store/channel-kinds.ts), so no channel type number appears elsewhere.

/** Discord's channel types. */
export const ChannelType = {
  GuildText: 0,
  DM: 1,
  GuildVoice: 2,
  GroupDM: 3,
  GuildCategory: 4,
  GuildAnnouncement: 5,
  AnnouncementThread: 10,
  PublicThread: 11,
  PrivateThread: 12,
  GuildStageVoice: 13,
  GuildForum: 15,
  GuildMedia: 16,
} as const;
export type ChannelTypeValue = (typeof ChannelType)[keyof typeof ChannelType];

const { GuildText, DM, GuildVoice, GroupDM, GuildCategory, GuildAnnouncement } = ChannelType;
const { AnnouncementThread, PublicThread, PrivateThread, GuildStageVoice, GuildForum, GuildMedia } =
  ChannelType;

/** The channel types of each kind. */
export const ChannelKind = {
  /** Threads: announcement, public and private. */
  thread: [AnnouncementThread, PublicThread, PrivateThread],
  /** Direct messages: between two people, and group DMs. */
  dm: [DM, GroupDM],
  /** Text-like guild channels (text and announcement): they have topics and slowmode, parent threads, hold webhooks. */
  text: [GuildText, GuildAnnouncement],
  /** Voice channels: voice and stage. */
  voice: [GuildVoice, GuildStageVoice],
  category: [GuildCategory],
  /** Forum and media channels: they hold only threads (posts), each started with a message, and tags. */
  forum: [GuildForum, GuildMedia],
  /** Where messages are sent: text-like channels, DMs and threads. */
  messageable: [GuildText, DM, GroupDM, GuildAnnouncement, AnnouncementThread, PublicThread, PrivateThread],
} as const satisfies Record<string, readonly ChannelTypeValue[]>;
export type ChannelKindName = keyof typeof ChannelKind;

const isOf =
  (kind: ChannelKindName) =>
  (type: number | undefined): boolean =>
    (ChannelKind[kind] as readonly (number | undefined)[]).includes(type);

/** A thread (announcement, public or private). */
export const isThreadType = isOf('thread');
/** A DM or a group DM. */
export const isDmType = isOf('dm');
/** A text-like guild channel: text or announcement. */
export const isTextType = isOf('text');
/** A voice or stage channel. */
export const isVoiceType = isOf('voice');
/** A category. */
export const isCategoryType = isOf('category');
/** A forum or media channel. */
export const isForumType = isOf('forum');
/** A channel messages are sent in. */
export const isMessageableType = isOf('messageable');

/** Discord's channel flags: PINNED on a forum post, REQUIRE_TAG on a forum or media channel. */
export const ChannelFlags = {
  Pinned: 1 << 1,
  RequireTag: 1 << 4,
  HideMediaDownloadOptions: 1 << 15,
} as const;
