// Application commands (Discord's slash, user and message commands) and their guild permissions, as Discord's REST v10
// sends and takes them. The shape is checked here; Discord's rules across fields (names, nesting, order, sizes) are
// the server's (domain/applications/command-rules.ts), which answers them with 50035 field errors.

import { type Static, type TSchema, Type } from 'typebox';
import { Limits } from '../limits';
import { Nullable, Snowflake } from './common';

/** Discord's application command types. PRIMARY_ENTRY_POINT (4) needs an Activity: Hearth has none. */
export const ApplicationCommandType = { ChatInput: 1, User: 2, Message: 3 } as const;

/** Discord's application command option types. */
export const CommandOptionType = {
  SubCommand: 1,
  SubCommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

/** Where a command may be used: in a guild, in the DM with the app's bot, in other private channels. */
export const InteractionContextType = { Guild: 0, BotDm: 1, PrivateChannel: 2 } as const;

/** Command permission overwrite targets. */
export const CommandPermissionType = { Role: 1, User: 2, Channel: 3 } as const;

/** `{locale: text}`; the keys are Discord's locales (checked by the server). */
const Localizations = Nullable(
  Type.Record(Type.String({ maxLength: 8 }), Nullable(Type.String({ maxLength: 100 })), {
    maxProperties: 40,
  }),
);

/**
 * A string or a number, by the option's type, which the server checks: no type here, because ajv coerces types and
 * would turn the number 1 into the string "1" through a union's first branch.
 */
const ChoiceValue = Type.Unsafe<string | number>({ description: 'a string, an integer or a number' });

/**
 * Answered instead of the dictionaries: in lists the text in the caller's locale (`*_localized`); in a command index
 * the original text (`*_default`) when the localized one took its place.
 */
const Localized = Type.Optional(Type.String());

export const CommandOptionChoice = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  name_localizations: Type.Optional(Localizations),
  name_localized: Localized,
  name_default: Localized,
  value: ChoiceValue,
});

/** One level of options; `inner` is what its `options` may hold (subcommands and groups nest at most two deep). */
function optionSchema(inner: TSchema | null) {
  return Type.Object({
    type: Type.Integer({ minimum: 1, maximum: 11 }),
    name: Type.String({ minLength: 1, maxLength: 32 }),
    name_localizations: Type.Optional(Localizations),
    name_localized: Localized,
    name_default: Localized,
    description: Type.String({ minLength: 1, maxLength: 100 }),
    description_localizations: Type.Optional(Localizations),
    description_localized: Localized,
    description_default: Localized,
    required: Type.Optional(Type.Boolean()),
    choices: Type.Optional(Type.Array(CommandOptionChoice, { maxItems: Limits.commandChoices })),
    ...(inner ? { options: Type.Optional(Type.Array(inner, { maxItems: Limits.commandOptions })) } : {}),
    channel_types: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 99 }), { maxItems: 20 })),
    min_value: Type.Optional(Type.Number()),
    max_value: Type.Optional(Type.Number()),
    min_length: Type.Optional(Type.Integer({ minimum: 0, maximum: 6000 })),
    max_length: Type.Optional(Type.Integer({ minimum: 1, maximum: 6000 })),
    autocomplete: Type.Optional(Type.Boolean()),
    file_types: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 10 })),
  });
}

/** An option, as taken and as answered (a subcommand group holds subcommands, which hold plain options). */
export const CommandOption = Type.Unsafe<CommandOption>(optionSchema(optionSchema(optionSchema(null))));
export type CommandOption = {
  type: number;
  name: string;
  name_localizations?: Record<string, string | null> | null;
  name_localized?: string;
  description: string;
  description_localizations?: Record<string, string | null> | null;
  description_localized?: string;
  required?: boolean;
  choices?: Array<{
    name: string;
    name_localizations?: Record<string, string | null> | null;
    name_localized?: string;
    value: string | number;
  }>;
  options?: CommandOption[];
  channel_types?: number[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  autocomplete?: boolean;
  file_types?: string[];
};

/** A permission bit set as a decimal string. */
const PermissionString = Type.String({ pattern: '^[0-9]{1,20}$' });

const commandFields = {
  name: Type.String({ minLength: 1, maxLength: 32 }),
  name_localizations: Type.Optional(Localizations),
  description: Type.Optional(Type.String({ maxLength: 100 })),
  description_localizations: Type.Optional(Localizations),
  options: Type.Optional(Type.Array(CommandOption, { maxItems: Limits.commandOptions })),
  default_member_permissions: Type.Optional(Nullable(PermissionString)),
  /** Deprecated by Discord for `contexts`: false leaves the DM with the bot out of them. */
  dm_permission: Type.Optional(Nullable(Type.Boolean())),
  /** Deprecated by Discord for `default_member_permissions`: false is "0". */
  default_permission: Type.Optional(Nullable(Type.Boolean())),
  integration_types: Type.Optional(
    Nullable(Type.Array(Type.Integer({ minimum: 0, maximum: 1 }), { maxItems: 2 })),
  ),
  contexts: Type.Optional(Nullable(Type.Array(Type.Integer({ minimum: 0, maximum: 2 }), { maxItems: 3 }))),
  type: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
  nsfw: Type.Optional(Nullable(Type.Boolean())),
};

/** POST …/commands; also one element of a bulk overwrite, which may name the command's `id`. */
export const CreateApplicationCommand = Type.Object({ ...commandFields, id: Type.Optional(Snowflake) });
export type CreateApplicationCommand = Static<typeof CreateApplicationCommand>;

/** PUT …/commands: the whole list of the scope. */
export const BulkApplicationCommands = Type.Array(CreateApplicationCommand, {
  maxItems: Limits.commandsChatInput + Limits.commandsUser + Limits.commandsMessage,
});

/** PATCH …/commands/:id: every field optional; those given replace the stored ones. */
export const ModifyApplicationCommand = Type.Object({
  ...commandFields,
  name: Type.Optional(commandFields.name),
});
export type ModifyApplicationCommand = Partial<CreateApplicationCommand>;

export const ApplicationCommand = Type.Object({
  id: Snowflake,
  type: Type.Integer(),
  application_id: Snowflake,
  guild_id: Type.Optional(Snowflake),
  name: Type.String(),
  name_localizations: Type.Optional(Localizations),
  name_localized: Localized,
  name_default: Localized,
  description: Type.String(),
  description_localizations: Type.Optional(Localizations),
  description_localized: Localized,
  description_default: Localized,
  options: Type.Optional(Type.Array(CommandOption)),
  default_member_permissions: Nullable(Type.String()),
  dm_permission: Type.Optional(Type.Boolean()),
  contexts: Nullable(Type.Array(Type.Integer())),
  integration_types: Type.Array(Type.Integer()),
  nsfw: Type.Boolean(),
  version: Snowflake,
  /** In an application command index only: the caller's overwrites of this command. */
  permissions: Type.Optional(Type.Any()),
});
export type ApplicationCommand = Static<typeof ApplicationCommand>;

export const CommandPermission = Type.Object({
  id: Snowflake,
  type: Type.Integer({ minimum: 1, maximum: 3 }),
  permission: Type.Boolean(),
});
export type CommandPermission = Static<typeof CommandPermission>;

/** PUT …/commands/:id/permissions. */
export const EditCommandPermissions = Type.Object({
  permissions: Type.Array(CommandPermission, { maxItems: Limits.commandPermissionOverwrites }),
});

/** A command's (or, with the application's id, every command's) overwrites in one guild. */
export const GuildCommandPermissions = Type.Object({
  id: Snowflake,
  application_id: Snowflake,
  guild_id: Snowflake,
  permissions: Type.Array(CommandPermission),
});
export type GuildCommandPermissions = Static<typeof GuildCommandPermissions>;

/** What a member's client is told of one application in an application command index. */
export const CommandIndexApplication = Type.Object({
  id: Snowflake,
  name: Type.String(),
  description: Type.String(),
  icon: Nullable(Type.String()),
  bot_id: Type.Optional(Snowflake),
  bot: Type.Optional(Type.Any()),
  flags: Type.String(),
  permissions: Type.Optional(Type.Any()),
});

/** GET /guilds/:id/application-command-index (Discord's client's command picker). */
export const ApplicationCommandIndex = Type.Object({
  applications: Type.Array(CommandIndexApplication),
  application_commands: Type.Array(ApplicationCommand),
  version: Snowflake,
});
export type ApplicationCommandIndex = Static<typeof ApplicationCommandIndex>;
