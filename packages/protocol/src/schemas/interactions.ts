// Interactions (Discord's slash commands, message components and modals as a person invokes them and a bot answers
// them), as Discord's REST v10 takes them. The shapes are checked here; the rules across fields (which command,
// which component, who may) are the server's (domain/interactions), which answers them with 50035 field errors.

import { type Static, Type } from 'typebox';
import { Limits } from '../limits';
import { Nullable, Snowflake } from './common';
import { AllowedMentions, Embed } from './messages';

/** Discord's interaction types. */
export const InteractionType = {
  Ping: 1,
  ApplicationCommand: 2,
  MessageComponent: 3,
  ApplicationCommandAutocomplete: 4,
  ModalSubmit: 5,
} as const;

/** Discord's interaction callback (response) types. */
export const InteractionCallbackType = {
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  ApplicationCommandAutocompleteResult: 8,
  Modal: 9,
} as const;

/** Discord's message component types (those Hearth accepts on messages and in modals). */
export const ComponentType = {
  ActionRow: 1,
  Button: 2,
  StringSelect: 3,
  TextInput: 4,
  UserSelect: 5,
  RoleSelect: 6,
  MentionableSelect: 7,
  ChannelSelect: 8,
} as const;

/** Discord's button styles: primary, secondary, success, danger, link (a url, no custom_id), premium (a sku_id). */
export const ButtonStyle = { Primary: 1, Secondary: 2, Success: 3, Danger: 4, Link: 5, Premium: 6 } as const;

/** Message flags interactions use beyond those of messages.ts. */
export const InteractionMessageFlags = {
  /** Seen by the person who invoked the interaction only. */
  Ephemeral: 1 << 6,
  /** A deferred answer: the client shows "<bot> is thinking…". */
  Loading: 1 << 7,
} as const;

/** What a person's client sends to invoke a command, use a component, ask for autocomplete or submit a modal. */
export const CreateInteraction = Type.Object({
  type: Type.Integer({ minimum: 2, maximum: 5 }),
  application_id: Snowflake,
  guild_id: Type.Optional(Snowflake),
  channel_id: Snowflake,
  /** A component's message (type 3). */
  message_id: Type.Optional(Snowflake),
  message_flags: Type.Optional(Type.Integer({ minimum: 0 })),
  session_id: Type.Optional(Type.String({ maxLength: 128 })),
  nonce: Type.Optional(Type.String({ maxLength: 25 })),
  analytics_location: Type.Optional(Type.String({ maxLength: 64 })),
  data: Type.Object(
    {
      /** The command (types 2 and 4), or the interaction that showed the modal (type 5). */
      id: Type.Optional(Snowflake),
      name: Type.Optional(Type.String({ maxLength: 32 })),
      type: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
      version: Type.Optional(Snowflake),
      guild_id: Type.Optional(Snowflake),
      target_id: Type.Optional(Snowflake),
      options: Type.Optional(Type.Array(Type.Any(), { maxItems: 25 })),
      /**
       * The files of attachment options (type 11), sent as `files[n]`: an option's value is the `id` (n) of its entry
       * here, which may rename the file, as Discord's client sends them.
       */
      attachments: Type.Optional(
        Type.Array(
          Type.Object(
            {
              id: Type.Union([
                Type.String({ pattern: '^[0-9]{1,2}$' }),
                Type.Integer({ minimum: 0, maximum: 99 }),
              ]),
              filename: Type.Optional(Type.String({ maxLength: 1024 })),
              uploaded_filename: Type.Optional(Type.String({ maxLength: 1024 })),
            },
            { additionalProperties: true },
          ),
          { maxItems: 10 },
        ),
      ),
      custom_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      component_type: Type.Optional(Type.Integer({ minimum: 2, maximum: 8 })),
      values: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 25 })),
      components: Type.Optional(Type.Array(Type.Any(), { maxItems: 5 })),
    },
    { additionalProperties: true },
  ),
});
export type CreateInteraction = Static<typeof CreateInteraction>;

/** The message of a callback (types 4 and 7) or of an interaction webhook's follow-up. */
export const InteractionMessageData = Type.Object({
  content: Type.Optional(Nullable(Type.String({ maxLength: Limits.messageContent }))),
  tts: Type.Optional(Type.Boolean()),
  embeds: Type.Optional(Nullable(Type.Array(Embed, { maxItems: 10 }))),
  allowed_mentions: Type.Optional(Nullable(AllowedMentions)),
  flags: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  components: Type.Optional(Nullable(Type.Array(Type.Any(), { maxItems: 5 }))),
  attachments: Type.Optional(Type.Array(Type.Any(), { maxItems: 10 })),
  username: Type.Optional(Type.String({ maxLength: 80 })),
  avatar_url: Type.Optional(Type.String({ maxLength: 2048 })),
  thread_name: Type.Optional(Type.String({ maxLength: 100 })),
});
export type InteractionMessageData = Static<typeof InteractionMessageData>;

/** An autocomplete choice (type 8): a name and a value of the option's type. */
const Choice = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  name_localizations: Type.Optional(
    Nullable(
      Type.Record(Type.String({ maxLength: 8 }), Type.String({ maxLength: 100 }), { maxProperties: 40 }),
    ),
  ),
  value: Type.Union([Type.String({ maxLength: 100 }), Type.Number()]),
});

/** POST /interactions/:id/:token/callback. `data` is checked per `type` by the server. */
export const InteractionCallback = Type.Object({
  type: Type.Integer({ minimum: 1, maximum: 12 }),
  data: Type.Optional(
    Type.Object(
      {
        ...InteractionMessageData.properties,
        choices: Type.Optional(Type.Array(Choice, { maxItems: 25 })),
        custom_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        title: Type.Optional(Type.String({ minLength: 1, maxLength: 45 })),
      },
      { additionalProperties: true },
    ),
  ),
});
export type InteractionCallback = Static<typeof InteractionCallback>;

export const InteractionCallbackQuery = Type.Object({ with_response: Type.Optional(Type.Boolean()) });

/** Discord's interaction callback response (`?with_response=true`). */
export const InteractionCallbackResponse = Type.Object({
  interaction: Type.Object({
    id: Snowflake,
    type: Type.Integer(),
    activity_instance_id: Type.Optional(Type.String()),
    response_message_id: Type.Optional(Snowflake),
    response_message_loading: Type.Optional(Type.Boolean()),
    response_message_ephemeral: Type.Optional(Type.Boolean()),
  }),
  resource: Type.Optional(
    Type.Object({
      type: Type.Integer(),
      activity_instance: Type.Optional(Type.Any()),
      message: Type.Optional(Type.Any()),
    }),
  ),
});
export type InteractionCallbackResponse = Static<typeof InteractionCallbackResponse>;

/** The invoker's own echo of an interaction and its outcome (Discord's client events). */
export interface InteractionEcho {
  id: string;
  nonce: string | null;
  /** Only INTERACTION_CREATE's echo carries it. */
  type?: number;
}
