// Hard limits shared by the server and clients.
export const Limits = {
  messageContent: 2000,
  historyPageMax: 100,
  historyPageDefault: 50,
  usernameMin: 2,
  usernameMax: 32,
  globalNameMax: 32,
  bioMax: 190,
  passwordMin: 8,
  passwordMax: 128,
  emailMax: 254,
  guildNameMin: 2,
  guildNameMax: 100,
  channelNameMax: 100,
  roleNameMax: 100,
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
  filenameMax: 255,
} as const;

export const Durations = {
  accessTokenSeconds: 15 * 60,
  refreshTokenSeconds: 30 * 24 * 60 * 60,
  emailVerificationSeconds: 24 * 60 * 60,
  passwordResetSeconds: 60 * 60,
} as const;
