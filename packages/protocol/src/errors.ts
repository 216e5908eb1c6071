// Discord's JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
export const ErrorCode = {
  General: 0,
  UnknownAccount: 10001,
  UnknownApplication: 10002,
  UnknownChannel: 10003,
  UnknownGuild: 10004,
  UnknownInvite: 10006,
  UnknownMember: 10007,
  UnknownMessage: 10008,
  UnknownOverwrite: 10009,
  UnknownRole: 10011,
  UnknownToken: 10012,
  UnknownUser: 10013,
  UnknownEmoji: 10014,
  UnknownWebhook: 10015,
  UnknownSession: 10020,
  UnknownBan: 10026,
  UnknownSticker: 10060,
  UnknownVoiceState: 10065,
  UnknownStickerPack: 10061,
  UnknownGuildScheduledEvent: 10070,
  UnknownApplicationCommand: 10063,
  UnknownApplicationCommandPermissions: 10066,
  UnknownInteraction: 10062,
  InteractionAlreadyAcknowledged: 40060,
  /** A user-installed app past its 5 follow-ups for one interaction. */
  MaximumFollowUpMessages: 40094,
  UnknownGuildScheduledEventUser: 10071,
  /** Hearth's own (Discord's join requests are undocumented): no such join request. */
  UnknownGuildJoinRequest: 10073,
  /** Hearth's own: no such message report. */
  UnknownMessageReport: 10074,
  MaximumApplicationCommands: 30032,
  MaximumDailyApplicationCommandCreates: 30034,
  MaximumUncompletedScheduledEvents: 30038,
  MaximumStickers: 30039,
  InvalidStickerSent: 50081,
  BotsCannotUseEndpoint: 20001,
  OnlyBotsCanUseEndpoint: 20002,
  RateLimited: 20028,
  Unauthorized: 40001,
  EmailVerificationRequired: 40002,
  Conflict: 40003,
  Forbidden: 40004,
  RequestTooLarge: 40005,
  MissingAccess: 50001,
  InvalidAccountType: 50002,
  CannotEditOtherUsersMessage: 50005,
  CannotSendEmptyMessage: 50006,
  CannotSendMessagesToUser: 50007,
  MissingPermissions: 50013,
  InvalidAuthToken: 50014,
  InvalidFormBody: 50035,
  /** An `uploaded_filename` names no finished upload of the caller's in that channel. */
  UploadedFileNotFound: 50146,
  InvalidGuild: 50055,
  MaximumEmojis: 30008,
  MaximumWebhooks: 30007,
  InvalidWebhookToken: 50027,
  CannotExecuteOnChannelType: 50024,
  MaximumReactions: 30010,
  FriendRequestsDisabled: 80000,
  CannotFriendSelf: 80003,
  MessageTooOldToBulkDelete: 50034,
  MaximumPins: 30003,
  SlowmodeRateLimited: 20016,
  CannotExecuteOnSystemMessage: 50021,
  UserBannedFromGuild: 40007,
  MustTransferGuildOwnership: 40011,
  TargetNotConnectedToVoice: 40032,
  MaximumRoles: 30005,
  MaximumChannels: 30013,
  InvalidJson: 50109,
  MaximumPinnedForumThreads: 30047,
  MaximumForumTags: 30048,
  CannotSendInForumChannel: 40058,
  TagNamesMustBeUnique: 40061,
  NoTagsForNonModerators: 40066,
  TagRequired: 40067,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One field error in Discord's nested `{field: {_errors: [...]}}` shape. */
export interface FieldError {
  code: string;
  message: string;
}

/** `{a: {b: {_errors: [...]}}}`: the errors tree of a 50035 response. */
export interface FieldErrorTree {
  _errors?: FieldError[];
  [key: string]: FieldErrorTree | FieldError[] | undefined;
}

export interface ApiErrorBody {
  code: number;
  message: string;
  errors?: FieldErrorTree;
}

/** Build the errors tree from flat `path → error` pairs; a path is the field names, e.g. ['user', 'email']. */
export function fieldErrorTree(
  entries: Array<{ path: Array<string | number>; error: FieldError }>,
): FieldErrorTree {
  const root: FieldErrorTree = {};
  for (const { path, error } of entries) {
    let node = root;
    for (const key of path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as FieldErrorTree;
    }
    node._errors ??= [];
    node._errors.push(error);
  }
  return root;
}
