import { type Static, Type } from 'typebox';
import { Limits } from '../limits';
import { ImageData, Snowflake } from './common';
import { User } from './users';

export const CreateApplication = Type.Object(
  {
    name: Type.String({ minLength: 2, maxLength: Limits.applicationNameMax }),
    description: Type.Optional(Type.String({ maxLength: 400 })),
  },
  { additionalProperties: false },
);
export type CreateApplication = Static<typeof CreateApplication>;

/** Application flags that enable privileged gateway intents. */
export const ApplicationFlags = {
  GatewayPresence: 1 << 12,
  GatewayPresenceLimited: 1 << 13,
  GatewayGuildMembers: 1 << 14,
  GatewayGuildMembersLimited: 1 << 15,
  GatewayMessageContent: 1 << 18,
  GatewayMessageContentLimited: 1 << 19,
} as const;

/** Where an application is installed (Discord's application integration types). */
export const ApplicationIntegrationType = { GuildInstall: 0, UserInstall: 1 } as const;

/** The scopes and permissions of one installation context's default install link. */
const InstallParams = Type.Object({
  scopes: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10 }),
  permissions: Type.String({ pattern: '^[0-9]{1,20}$' }),
});

/** One installation context's settings: `{}` enables it; `oauth2_install_params` is its default install link. */
const IntegrationTypeConfiguration = Type.Object({ oauth2_install_params: Type.Optional(InstallParams) });

/** Discord's `integration_types_config`: the installation contexts an application supports, "0" guild, "1" user. */
export const IntegrationTypesConfig = Type.Object(
  {
    '0': Type.Optional(IntegrationTypeConfiguration),
    '1': Type.Optional(IntegrationTypeConfiguration),
  },
  { additionalProperties: false },
);
export type IntegrationTypesConfig = Static<typeof IntegrationTypesConfig>;

export const ModifyApplication = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 2, maxLength: Limits.applicationNameMax })),
    description: Type.Optional(Type.String({ maxLength: 400 })),
    /** A data URI (PNG, JPEG, GIF, WebP), or null to remove the icon. */
    icon: Type.Optional(Type.Union([ImageData, Type.Null()])),
    flags: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    bot_public: Type.Optional(Type.Boolean()),
    /** Where interactions are POSTed; saved only after a signed PING verifies it. Null or "" removes it. */
    interactions_endpoint_url: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
    /** The installation contexts it supports; at least one. */
    integration_types_config: Type.Optional(IntegrationTypesConfig),
  },
  { additionalProperties: false },
);
export type ModifyApplication = Static<typeof ModifyApplication>;

export const Application = Type.Object(
  {
    id: Snowflake,
    name: Type.String(),
    description: Type.String(),
    icon: Type.Union([Type.String(), Type.Null()]),
    bot_public: Type.Boolean(),
    bot_require_code_grant: Type.Boolean(),
    flags: Type.Integer(),
    owner: User,
    bot: Type.Optional(User),
    /** Hex Ed25519 public key: HTTP interactions are signed with its private half. */
    verify_key: Type.String(),
    interactions_endpoint_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    integration_types_config: IntegrationTypesConfig,
  },
  {},
);
export type Application = Static<typeof Application>;

/** A guild's integration (GET /guilds/:id/integrations): on Hearth, a bot added to it, as Discord's `discord` type. */
export const Integration = Type.Object({
  id: Snowflake,
  name: Type.String(),
  type: Type.Literal('discord'),
  enabled: Type.Boolean(),
  account: Type.Object({ id: Snowflake, name: Type.String() }),
  application: Type.Object({
    id: Snowflake,
    name: Type.String(),
    icon: Type.Union([Type.String(), Type.Null()]),
    description: Type.String(),
    bot: Type.Optional(User),
  }),
  scopes: Type.Array(Type.String()),
});
export type Integration = Static<typeof Integration>;
