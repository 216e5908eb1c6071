// Hard limits shared by the server and clients.
export const Limits = {
  messageContent: 2000,
  /** Follow-ups one interaction may create when only a person's install of the app brought it (Discord's rule). */
  userInstallFollowUps: 5,
  /** Characters of a social status (posts and comments), as the Mastodon instance entity advertises. */
  statusChars: 5000,
  /** Content warning (spoiler text) of a status. */
  spoilerChars: 500,
  /** People one status may mention; hashtags one status may carry. */
  statusMentionsMax: 50,
  statusTagsMax: 20,
  /** How far up and down a thread GET /statuses/:id/context reads. */
  contextAncestorsMax: 64,
  contextDescendantsMax: 4096,
  /** Media attachments of one status: up to 4 images, or one video or audio (Mastodon's rule). */
  statusMediaMax: 4,
  /** Alt text (description) of a media attachment, as Mastodon allows. */
  mediaDescriptionChars: 1500,
  /** A posted video or audio file: stored as uploaded (Hearth does not transcode), 99 MiB as Mastodon allows. */
  mediaVideoBytes: 99 * 1024 * 1024,
  /** Originals of posted images are re-encoded (metadata stripped) to fit in this square. */
  mediaImageSide: 4096,
  /** The `small` version of a posted image fits in this square. */
  mediaPreviewSize: 640,
  /** A poll: 2 to 4 options of at most 50 characters, open 5 minutes to a month (Mastodon's defaults). */
  pollOptionsMax: 4,
  pollOptionChars: 50,
  pollMinExpiresInSeconds: 300,
  pollMaxExpiresInSeconds: 2_629_746,
  /** A page of statuses or accounts in the Mastodon API. */
  socialPageDefault: 20,
  socialPageMax: 40,
  /** Hashtags one account may follow (Mastodon sets none; Hearth bounds what every home read joins). */
  followedTagsMax: 1000,
  /** A page of followed hashtags (GET /api/v1/followed_tags: Mastodon's default and maximum). */
  followedTagsPageDefault: 100,
  followedTagsPageMax: 200,
  /** Lists one account may have (Mastodon's limit), accounts in one list, and a list's title. */
  listsMax: 50,
  listAccountsMax: 1000,
  listTitleChars: 100,
  /** A page of a list's accounts (GET /api/v1/lists/:id/accounts: Mastodon's default and maximum). */
  listAccountsPageDefault: 40,
  listAccountsPageMax: 80,
  /** Statuses an account may pin to its profile (Mastodon's limit). */
  pinnedStatusesMax: 5,
  /** Mastodon's profile fields (label/value pairs): how many, how long each part. */
  profileFieldsMax: 4,
  profileFieldChars: 255,
  namePartChars: 32,
  historyPageMax: 100,
  historyPageDefault: 50,
  usernameMin: 2,
  usernameMax: 32,
  globalNameMax: 32,
  bioMax: 190,
  pronounsMax: 40,
  /** Friends listed in a profile's mutual_friends (the count is exact). */
  mutualFriendsMax: 100,
  passwordMin: 8,
  passwordMax: 128,
  emailMax: 254,
  guildNameMin: 2,
  guildNameMax: 100,
  channelNameMax: 100,
  roleNameMax: 100,
  /** Tags a forum or media channel offers, the length of a tag's name, tags one post carries (Discord's). */
  forumTagsMax: 20,
  forumTagNameMax: 20,
  appliedTagsMax: 5,
  /** Decoded size of an avatar, banner or icon sent as a data URI. */
  imageUploadBytes: 10 * 1024 * 1024,
  /** Default per-user upload limit per file. */
  defaultUploadLimitBytes: 25 * 1024 * 1024,
  /** JSON request bodies (data URIs included). */
  jsonBodyBytes: 16 * 1024 * 1024,
  /**
   * How deep arrays and objects may nest in any JSON Hearth reads (bodies, payload_json, gateway frames). Discord's
   * deepest shapes (components in action rows, embed fields) are under 10 levels.
   */
  jsonDepth: 64,
  settingsBytes: 64 * 1024,
  applicationNameMax: 32,
  /** Files per message. */
  attachmentsPerMessage: 10,
  /** The largest file any user may upload (a user's own upload_limit is at most this). */
  maxUploadBytes: 100 * 1024 * 1024,
  /** Previews of image attachments fit in this square. */
  previewSize: 400,
  /**
   * What decoding one uploaded image may cost, checked from its header before any decoding (ADR 0016). A 7 KB GIF
   * can declare a 7000×7000 canvas or thousands of frames, and decoders render every frame on the whole canvas:
   * without these an avatar took 23 s of the server's image threads. Per frame: 7680×4320 (8K), ~1 s to decode.
   */
  imageMaxFramePixels: 33_177_600,
  /** Frames of an animated avatar, banner, icon or emoji: each costs ~1 ms even when it is 1×1. */
  imageMaxFrames: 1000,
  /** Canvas × frames of an animated avatar, banner, icon or emoji: ~2 s of decoding at most. */
  imageMaxTotalPixels: 50_000_000,
  filenameMax: 255,
  /** A guild sticker's file (PNG, APNG, GIF or Lottie JSON), as Discord limits it: 512 KiB. */
  stickerFileBytes: 512 * 1024,
  /** Stickers are constrained to this square. */
  stickerSize: 320,
  /** An animated sticker plays for at most this long. */
  stickerMaxDurationMs: 5000,
  /** Stickers per guild: Discord's five free slots (Hearth has no boost levels). */
  guildStickers: 5,
  /** Stickers on one message. */
  stickersPerMessage: 3,
  /** Emojis one application may own. */
  applicationEmojis: 2000,
  /** A guild's scheduled events that are SCHEDULED or ACTIVE. */
  uncompletedScheduledEvents: 100,
  /** Application commands per scope (global, or one guild), by type: Discord's. */
  commandsChatInput: 100,
  commandsUser: 15,
  commandsMessage: 15,
  /** New application commands per scope (global, or one guild) in a day: Discord's daily creates. */
  commandCreatesPerDay: 200,
  /** Options of a command or subcommand; choices of an option. */
  commandOptions: 25,
  commandChoices: 25,
  /** A chat-input command's names, descriptions and choice values together (the longest localization of each). */
  commandTotalChars: 8000,
  /** Overwrites of one command (or of an application) in one guild. */
  commandPermissionOverwrites: 100,
} as const;

export const Durations = {
  accessTokenSeconds: 15 * 60,
  refreshTokenSeconds: 30 * 24 * 60 * 60,
  emailVerificationSeconds: 24 * 60 * 60,
  passwordResetSeconds: 60 * 60,
} as const;
