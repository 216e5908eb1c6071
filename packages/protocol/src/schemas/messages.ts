import { type Static, Type } from 'typebox';
import { Limits } from '../limits';
import { Nullable, Snowflake } from './common';
import { StickerItem } from './stickers';
import { User } from './users';

export const MessageType = {
  Default: 0,
  RecipientAdd: 1,
  RecipientRemove: 2,
  /** A DM or group DM call: written when it begins, its `call` updated as people join and when it ends. */
  Call: 3,
  ChannelNameChange: 4,
  ChannelIconChange: 5,
  ChannelPinnedMessage: 6,
  UserJoin: 7,
  ThreadCreated: 18,
  Reply: 19,
  ThreadStarterMessage: 21,
} as const;

export const MessageFlags = {
  SuppressEmbeds: 1 << 2,
  SuppressNotifications: 1 << 12,
} as const;

/** Discord's embed limits: each field and the total of 6000 characters. */
export const Embed = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: 256 })),
    type: Type.Optional(Type.String()),
    description: Type.Optional(Type.String({ maxLength: 4096 })),
    url: Type.Optional(Type.String({ maxLength: 2048 })),
    timestamp: Type.Optional(Type.String({ format: 'date-time' })),
    color: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffff })),
    footer: Type.Optional(
      Type.Object({
        text: Type.String({ maxLength: 2048 }),
        icon_url: Type.Optional(Type.String({ maxLength: 2048 })),
      }),
    ),
    image: Type.Optional(Type.Object({ url: Type.String({ maxLength: 2048 }) })),
    thumbnail: Type.Optional(Type.Object({ url: Type.String({ maxLength: 2048 }) })),
    author: Type.Optional(
      Type.Object({
        name: Type.String({ maxLength: 256 }),
        url: Type.Optional(Type.String({ maxLength: 2048 })),
        icon_url: Type.Optional(Type.String({ maxLength: 2048 })),
      }),
    ),
    fields: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.String({ maxLength: 256 }),
          value: Type.String({ maxLength: 1024 }),
          inline: Type.Optional(Type.Boolean()),
        }),
        { maxItems: 25 },
      ),
    ),
  },
  { additionalProperties: false },
);
export type Embed = Static<typeof Embed>;

export const AllowedMentions = Type.Object({
  parse: Type.Optional(
    Type.Array(Type.Union([Type.Literal('users'), Type.Literal('roles'), Type.Literal('everyone')]), {
      maxItems: 3,
    }),
  ),
  users: Type.Optional(Type.Array(Snowflake, { maxItems: 100 })),
  roles: Type.Optional(Type.Array(Snowflake, { maxItems: 100 })),
  replied_user: Type.Optional(Type.Boolean()),
});
export type AllowedMentions = Static<typeof AllowedMentions>;

export const MessageReferenceInput = Type.Object({
  message_id: Snowflake,
  channel_id: Type.Optional(Snowflake),
  guild_id: Type.Optional(Snowflake),
  fail_if_not_exists: Type.Optional(Type.Boolean()),
  type: Type.Optional(Type.Integer()),
});

/** An entry of a message's `attachments`: a multipart file's name and description, or an uploaded file. */
export const MessageAttachmentInput = Type.Object({
  // The string first: an edit names kept files by their snowflake ids, which a coercing check must not turn into
  // (rounded) numbers.
  id: Type.Union([Type.String({ maxLength: 20 }), Type.Integer({ minimum: 0 })]),
  filename: Type.Optional(Type.String({ maxLength: 255 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  uploaded_filename: Type.Optional(Type.String({ minLength: 1, maxLength: 400 })),
});
export type MessageAttachmentInput = Static<typeof MessageAttachmentInput>;

export const CreateMessage = Type.Object({
  /** null is no content (discord.py sends it with embeds or files only). */
  content: Type.Optional(Nullable(Type.String({ maxLength: Limits.messageContent }))),
  nonce: Type.Optional(Type.Union([Type.String({ maxLength: 25 }), Type.Integer()])),
  enforce_nonce: Type.Optional(Type.Boolean()),
  tts: Type.Optional(Type.Boolean()),
  embeds: Type.Optional(Type.Array(Embed, { maxItems: 10 })),
  embed: Type.Optional(Embed),
  allowed_mentions: Type.Optional(AllowedMentions),
  message_reference: Type.Optional(MessageReferenceInput),
  components: Type.Optional(Type.Array(Type.Any(), { maxItems: 5 })),
  sticker_ids: Type.Optional(Type.Array(Snowflake, { maxItems: Limits.stickersPerMessage })),
  flags: Type.Optional(Type.Integer({ minimum: 0 })),
  /**
   * With multipart uploads: `id` is the index of `files[n]`. With `uploaded_filename`, a file of the cloud-upload flow
   * (`POST /channels/:id/attachments`) becomes an attachment of the message.
   */
  attachments: Type.Optional(Type.Array(MessageAttachmentInput, { maxItems: 10 })),
});
export type CreateMessage = Static<typeof CreateMessage>;

/** `POST /channels/:id/attachments`: the files a client is about to upload (Discord's cloud-upload flow). */
export const RequestAttachmentUploads = Type.Object({
  files: Type.Array(
    Type.Object({
      /** The client's own key for the file, echoed in the answer. */
      id: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ maxLength: 20 })])),
      filename: Type.String({ minLength: 1, maxLength: 255 }),
      file_size: Type.Integer({ minimum: 1 }),
      is_clip: Type.Optional(Type.Boolean()),
    }),
    { minItems: 1, maxItems: Limits.attachmentsPerMessage },
  ),
});
export type RequestAttachmentUploads = Static<typeof RequestAttachmentUploads>;

/** Its answer: where to PUT each file, and the name a message then refers to it by. */
export const AttachmentUploads = Type.Object({
  attachments: Type.Array(
    Type.Object({
      /** The client's key of the file (as a string), or its index when it sent none. */
      id: Type.String(),
      upload_url: Type.String(),
      upload_filename: Type.String(),
    }),
  ),
});

export const EditMessage = Type.Object({
  content: Type.Optional(Nullable(Type.String({ maxLength: Limits.messageContent }))),
  embeds: Type.Optional(Type.Union([Type.Array(Embed, { maxItems: 10 }), Type.Null()])),
  flags: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  allowed_mentions: Type.Optional(Type.Union([AllowedMentions, Type.Null()])),
  components: Type.Optional(Type.Union([Type.Array(Type.Any(), { maxItems: 5 }), Type.Null()])),
  /** The files the message keeps (by id; the rest are removed), new files' names, and uploads to add. */
  attachments: Type.Optional(Type.Array(MessageAttachmentInput, { maxItems: 10 })),
});
export type EditMessage = Static<typeof EditMessage>;

/** Discord's message call object: who took part in a DM call, and when it ended (null while it goes on). */
export const MessageCall = Type.Object({
  participants: Type.Array(Snowflake),
  ended_timestamp: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type MessageCall = Static<typeof MessageCall>;

export const Message = Type.Object({
  id: Snowflake,
  channel_id: Snowflake,
  guild_id: Type.Optional(Snowflake),
  author: User,
  content: Type.String(),
  timestamp: Type.String(),
  edited_timestamp: Type.Union([Type.String(), Type.Null()]),
  tts: Type.Boolean(),
  mention_everyone: Type.Boolean(),
  mentions: Type.Array(User),
  mention_roles: Type.Array(Snowflake),
  attachments: Type.Array(Type.Any()),
  embeds: Type.Array(Type.Any()),
  reactions: Type.Optional(Type.Array(Type.Any())),
  nonce: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
  pinned: Type.Boolean(),
  type: Type.Integer(),
  flags: Type.Integer(),
  components: Type.Array(Type.Any()),
  message_reference: Type.Optional(
    Type.Object({
      type: Type.Optional(Type.Integer()),
      message_id: Type.Optional(Snowflake),
      channel_id: Snowflake,
      guild_id: Type.Optional(Snowflake),
    }),
  ),
  referenced_message: Type.Optional(Type.Union([Type.Any(), Type.Null()])),
  member: Type.Optional(Type.Any()),
  /** Set on messages a webhook sent; their author is the webhook (see WebhookAuthor). */
  webhook_id: Type.Optional(Snowflake),
  application_id: Type.Optional(Snowflake),
  sticker_items: Type.Optional(Type.Array(StickerItem)),
  /** On an interaction's response or follow-up: the interaction it answers (Discord's interaction_metadata). */
  interaction_metadata: Type.Optional(Type.Any()),
  /** The deprecated form of interaction_metadata (`{id, type, name, user}`) that libraries still read. */
  interaction: Type.Optional(Type.Any()),
  /** On a call's system message (type 3): Discord's message call object. */
  call: Type.Optional(MessageCall),
});
export type Message = Static<typeof Message>;

export const HistoryQuery = Type.Object({
  before: Type.Optional(Snowflake),
  after: Type.Optional(Snowflake),
  around: Type.Optional(Snowflake),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.historyPageMax })),
});
export type HistoryQuery = Static<typeof HistoryQuery>;

export const BulkDelete = Type.Object({ messages: Type.Array(Snowflake, { minItems: 2, maxItems: 100 }) });
