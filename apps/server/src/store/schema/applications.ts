import type { CommandOption, CommandPermission, IntegrationTypesConfig } from '@hearth/protocol';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { permissionBits, snowflake, timestamptz } from './types';

export const applications = pgTable(
  'applications',
  {
    id: snowflake('id').primaryKey(),
    ownerId: snowflake('owner_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    icon: text('icon'),
    botUserId: snowflake('bot_user_id').notNull(),
    botPublic: boolean('bot_public').notNull().default(true),
    flags: integer('flags').notNull().default(0),
    /** Hash of the bot token; null until the first reset. */
    botTokenHash: text('bot_token_hash'),
    /** Ed25519 public key, hex (Discord's `verify_key`): apps check interaction requests' signatures with it. */
    verifyKey: text('verify_key'),
    /** The matching private key (PKCS#8 DER, base64); never leaves the server. Null for rows older than ADR 0038, filled on first use. */
    signingKey: text('signing_key'),
    /** Where interactions are POSTed instead of the gateway; verified by a signed PING when set. */
    interactionsEndpointUrl: text('interactions_endpoint_url'),
    /**
     * Discord's `integration_types_config`: where the application may be installed, keyed "0" (a guild) and "1" (a
     * person's account), each with its default `oauth2_install_params`. Guild install only until its owner adds "1".
     */
    integrationTypesConfig: jsonb('integration_types_config')
      .$type<IntegrationTypesConfig>()
      .notNull()
      .default({ '0': {} }),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('applications_owner_idx').on(t.ownerId),
    uniqueIndex('applications_bot_user_key').on(t.botUserId),
  ],
);

/**
 * Applications a person installed to their own account (Discord's user install, integration type 1): their commands
 * with `integration_types` 1 follow that person into guilds, DMs and group DMs. User-owned, keyed by the user first;
 * `id` is the authorization's id as the person's list of authorized apps names it.
 */
export const userApplicationInstalls = pgTable(
  'user_application_installs',
  {
    userId: snowflake('user_id').notNull(),
    applicationId: snowflake('application_id').notNull(),
    id: snowflake('id').notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.applicationId] }),
    index('user_application_installs_app_idx').on(t.applicationId),
  ],
);

/** Emojis an application owns (Discord's application emojis): usable by its bot anywhere. Images as guild emojis'. */
export const applicationEmojis = pgTable(
  'application_emojis',
  {
    applicationId: snowflake('application_id').notNull(),
    id: snowflake('id').notNull(),
    name: text('name').notNull(),
    animated: boolean('animated').notNull().default(false),
    userId: snowflake('user_id'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.id] }), index('application_emojis_id_idx').on(t.id)],
);

/**
 * An application's commands (Discord's application commands): global ones (`guild_id` null) and those of one guild.
 * Found by their application first (every route names it), so keyed by it (ADR 0002); a name is unique per
 * application, scope and type. `options` is the option tree as Discord's wire has it, validated before it is stored.
 */
export const applicationCommands = pgTable(
  'application_commands',
  {
    applicationId: snowflake('application_id').notNull(),
    id: snowflake('id').notNull(),
    /** Null for a global command. */
    guildId: snowflake('guild_id'),
    type: smallint('type').notNull(),
    name: text('name').notNull(),
    nameLocalizations: jsonb('name_localizations').$type<Record<string, string>>(),
    description: text('description').notNull().default(''),
    descriptionLocalizations: jsonb('description_localizations').$type<Record<string, string>>(),
    options: jsonb('options').$type<CommandOption[]>(),
    /** Null: anyone may; 0: only administrators unless an overwrite says otherwise. */
    defaultMemberPermissions: permissionBits('default_member_permissions'),
    /** Interaction context types; null for guild commands (and for global ones that set none). */
    contexts: jsonb('contexts').$type<number[]>(),
    integrationTypes: jsonb('integration_types').$type<number[]>().notNull(),
    nsfw: boolean('nsfw').notNull().default(false),
    /** A snowflake, new whenever the command changes. */
    version: snowflake('version').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.applicationId, t.id] }),
    unique('application_commands_name_key').on(t.applicationId, t.guildId, t.type, t.name).nullsNotDistinct(),
    index('application_commands_guild_idx').on(t.guildId),
  ],
);

/**
 * Who may use an application's commands in a guild: the overwrites of one command, or of every command when
 * `command_id` is the application's id. One row per command and guild, its overwrites (at most 100) as Discord's
 * list; owned by the guild.
 */
export const applicationCommandPermissions = pgTable(
  'application_command_permissions',
  {
    guildId: snowflake('guild_id').notNull(),
    commandId: snowflake('command_id').notNull(),
    applicationId: snowflake('application_id').notNull(),
    permissions: jsonb('permissions').$type<CommandPermission[]>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.commandId] }),
    index('application_command_permissions_app_idx').on(t.applicationId, t.commandId),
  ],
);
