import { type Static, Type } from 'typebox';
import { Limits } from '../limits';
import { ImageData, Nullable, Snowflake } from './common';
import { AllowedMentions, Embed, MessageAttachmentInput } from './messages';
import { User } from './users';

export const WebhookType = { Incoming: 1, ChannelFollower: 2, Application: 3 } as const;

/** Discord's webhook names: 1–80 characters; "clyde" and "discord" are refused by the domain, as on Discord. */
export const WebhookName = Type.String({ minLength: 1, maxLength: 80 });

/** Discord's webhook object; `token` and `url` only to those who may manage it, `user` not on token routes. */
export const Webhook = Type.Object({
  id: Snowflake,
  type: Type.Integer(),
  guild_id: Nullable(Snowflake),
  channel_id: Nullable(Snowflake),
  user: Type.Optional(User),
  name: Nullable(Type.String()),
  avatar: Nullable(Type.String()),
  token: Type.Optional(Type.String()),
  application_id: Nullable(Snowflake),
  url: Type.Optional(Type.String()),
});
export type Webhook = Static<typeof Webhook>;

export const CreateWebhook = Type.Object({
  name: WebhookName,
  avatar: Type.Optional(Nullable(ImageData)),
});
export type CreateWebhook = Static<typeof CreateWebhook>;

/** PATCH /webhooks/:id; `channel_id` moves it to another channel of the same guild. */
export const ModifyWebhook = Type.Object({
  name: Type.Optional(WebhookName),
  avatar: Type.Optional(Nullable(ImageData)),
  channel_id: Type.Optional(Snowflake),
});
export type ModifyWebhook = Static<typeof ModifyWebhook>;

/** PATCH /webhooks/:id/:token: the token cannot move the webhook. */
export const ModifyWebhookWithToken = Type.Object({
  name: Type.Optional(WebhookName),
  avatar: Type.Optional(Nullable(ImageData)),
});
export type ModifyWebhookWithToken = Static<typeof ModifyWebhookWithToken>;

/** POST /webhooks/:id/:token (JSON, or `payload_json` of a multipart form). */
export const ExecuteWebhook = Type.Object({
  content: Type.Optional(Nullable(Type.String({ maxLength: Limits.messageContent }))),
  username: Type.Optional(WebhookName),
  avatar_url: Type.Optional(Type.String({ maxLength: 2048 })),
  tts: Type.Optional(Type.Boolean()),
  embeds: Type.Optional(Type.Array(Embed, { maxItems: 10 })),
  allowed_mentions: Type.Optional(AllowedMentions),
  components: Type.Optional(Type.Array(Type.Any(), { maxItems: 5 })),
  flags: Type.Optional(Type.Integer({ minimum: 0 })),
  thread_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  attachments: Type.Optional(
    Type.Array(
      Type.Object({
        id: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ maxLength: 20 })]),
        filename: Type.Optional(Type.String({ maxLength: 255 })),
        description: Type.Optional(Type.String({ maxLength: 1024 })),
      }),
      { maxItems: 10 },
    ),
  ),
});
export type ExecuteWebhook = Static<typeof ExecuteWebhook>;

export const ExecuteWebhookQuery = Type.Object({
  wait: Type.Optional(Type.Boolean()),
  thread_id: Type.Optional(Snowflake),
});
export type ExecuteWebhookQuery = Static<typeof ExecuteWebhookQuery>;

/** PATCH /webhooks/:id/:token/messages/:message_id. */
export const EditWebhookMessage = Type.Object({
  content: Type.Optional(Nullable(Type.String({ maxLength: Limits.messageContent }))),
  embeds: Type.Optional(Nullable(Type.Array(Embed, { maxItems: 10 }))),
  allowed_mentions: Type.Optional(Nullable(AllowedMentions)),
  components: Type.Optional(Nullable(Type.Array(Type.Any(), { maxItems: 5 }))),
  /** The files the message keeps (by id; the rest are removed), and the new ones' names (`id` = n of `files[n]`). */
  attachments: Type.Optional(Type.Array(MessageAttachmentInput, { maxItems: 10 })),
});
export type EditWebhookMessage = Static<typeof EditWebhookMessage>;

/** Slack's incoming-webhook payload, as far as Hearth renders it (the rest is ignored). */
export const SlackWebhookPayload = Type.Object({
  text: Type.Optional(Type.String({ maxLength: 40_000 })),
  username: Type.Optional(Type.String({ maxLength: 256 })),
  icon_url: Type.Optional(Type.String({ maxLength: 2048 })),
  attachments: Type.Optional(
    Type.Array(
      Type.Object({
        fallback: Type.Optional(Type.String()),
        color: Type.Optional(Type.String()),
        pretext: Type.Optional(Type.String()),
        author_name: Type.Optional(Type.String()),
        author_link: Type.Optional(Type.String()),
        author_icon: Type.Optional(Type.String()),
        title: Type.Optional(Type.String()),
        title_link: Type.Optional(Type.String()),
        text: Type.Optional(Type.String()),
        fields: Type.Optional(
          Type.Array(
            Type.Object({
              title: Type.Optional(Type.String()),
              value: Type.Optional(Type.String()),
              short: Type.Optional(Type.Boolean()),
            }),
            { maxItems: 25 },
          ),
        ),
        image_url: Type.Optional(Type.String()),
        thumb_url: Type.Optional(Type.String()),
        footer: Type.Optional(Type.String()),
        footer_icon: Type.Optional(Type.String()),
        ts: Type.Optional(Type.Union([Type.Number(), Type.String()])),
      }),
      { maxItems: 10 },
    ),
  ),
});
export type SlackWebhookPayload = Static<typeof SlackWebhookPayload>;
