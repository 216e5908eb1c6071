// Discord Gateway v10: opcodes, close codes and intents.

export const GatewayOp = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  /** Discord's user clients' "guild subscriptions" (sent when a guild is opened); see ADR 0011. */
  GuildSubscriptions: 14,
  /** Discord's user clients' Go Live: start sharing one's screen in the voice channel one is in (ADR 0034). */
  StreamCreate: 18,
  /** Go Live: stop sharing (`stream_key`). */
  StreamDelete: 19,
} as const;

export const GatewayClose = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidSeq: 4007,
  RateLimited: 4008,
  SessionTimedOut: 4009,
  InvalidShard: 4010,
  InvalidApiVersion: 4012,
  InvalidIntents: 4013,
  DisallowedIntents: 4014,
} as const;

export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildModeration: 1 << 2,
  GuildExpressions: 1 << 3,
  GuildIntegrations: 1 << 4,
  GuildWebhooks: 1 << 5,
  GuildInvites: 1 << 6,
  GuildVoiceStates: 1 << 7,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  GuildMessageTyping: 1 << 11,
  DirectMessages: 1 << 12,
  DirectMessageReactions: 1 << 13,
  DirectMessageTyping: 1 << 14,
  MessageContent: 1 << 15,
  GuildScheduledEvents: 1 << 16,
  AutoModerationConfiguration: 1 << 20,
  AutoModerationExecution: 1 << 21,
  GuildMessagePolls: 1 << 24,
  DirectMessagePolls: 1 << 25,
} as const;

export const ALL_INTENTS = Object.values(Intent).reduce((a, b) => a | b, 0);
export const PRIVILEGED_INTENTS = Intent.GuildMembers | Intent.GuildPresences | Intent.MessageContent;

/**
 * Whether an IDENTIFY's `intents` is a bitfield of known intents: a non-negative integer with no other bit. Checked
 * before any bit operation, which would read 2^32 + 1 as 1.
 */
export function isValidIntents(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= ALL_INTENTS &&
    (value & ~ALL_INTENTS) === 0
  );
}

export const GatewayLimits = {
  /** Client payloads larger than this close the connection with 4002. */
  payloadBytes: 4096,
  /** Client events per window before 4008. */
  eventsPerWindow: 120,
  eventWindowMs: 60_000,
  heartbeatIntervalMs: 41_250,
} as const;
