import {
  ApiError as ApiErrorSchema,
  Application,
  IntegrationTypesConfig,
  Snowflake,
  User,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { auditReason, noContent } from '../reply';
import type { Api, RouteContext } from '../types';

/** Integration type 0 adds a bot to a guild; 1 installs the application to the person's own account. */
const IntegrationTypeParam = Type.Union([Type.Literal(0), Type.Literal(1)]);

/**
 * Discord's authorize screen, as its client posts it: adds a bot to a guild, or installs an application to the
 * person's account (`integration_type=1`); the person's authorized applications; and what a bot token authorizes.
 */
export function oauth2Routes(app: Api, { services }: RouteContext): void {
  const botOnly = { 401: ApiErrorSchema, 403: ApiErrorSchema };
  // discord.py calls this inside login(): the application of the calling bot.
  app.get(
    '/oauth2/applications/@me',
    { config: { auth: 'bot' }, schema: { tags: ['oauth2'], response: { 200: Application, ...botOnly } } },
    async (req) => services.applications.current(caller(req)),
  );

  app.get(
    '/oauth2/@me',
    {
      config: { auth: 'bot' },
      schema: {
        tags: ['oauth2'],
        response: {
          200: Type.Object({
            application: Application,
            scopes: Type.Array(Type.String()),
            expires: Type.Null(),
            user: User,
          }),
          ...botOnly,
        },
      },
    },
    async (req) => services.applications.currentAuthorization(caller(req)),
  );

  app.get(
    '/oauth2/authorize',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['oauth2'],
        querystring: Type.Object({
          client_id: Snowflake,
          scope: Type.Optional(Type.String({ maxLength: 200 })),
          permissions: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
          integration_type: Type.Optional(IntegrationTypeParam),
        }),
        response: {
          200: Type.Object({
            application: Type.Object({
              id: Snowflake,
              name: Type.String(),
              icon: Type.Union([Type.String(), Type.Null()]),
              description: Type.String(),
              bot_public: Type.Boolean(),
              integration_types_config: IntegrationTypesConfig,
            }),
            bot: User,
          }),
          401: ApiErrorSchema,
          404: ApiErrorSchema,
        },
      },
    },
    async (req) => services.botAuthorization.preview(caller(req), req.query.client_id),
  );

  app.post(
    '/oauth2/authorize',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['oauth2'],
        querystring: Type.Object({
          client_id: Snowflake,
          scope: Type.String({ maxLength: 200 }),
          permissions: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
          integration_type: Type.Optional(IntegrationTypeParam),
        }),
        body: Type.Object({
          /** Where the bot is added (integration type 0); none when installing to the account. */
          guild_id: Type.Optional(Snowflake),
          permissions: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
          integration_type: Type.Optional(IntegrationTypeParam),
          authorize: Type.Literal(true),
        }),
        response: {
          200: Type.Object({ location: Type.String() }),
          400: ApiErrorSchema,
          403: ApiErrorSchema,
          404: ApiErrorSchema,
        },
      },
    },
    async (req) =>
      (req.body.integration_type ?? req.query.integration_type) === 1
        ? services.userInstalls.install(caller(req), {
            clientId: req.query.client_id,
            scope: req.query.scope,
          })
        : services.botAuthorization.authorize(caller(req), {
            clientId: req.query.client_id,
            scope: req.query.scope,
            guildId: req.body.guild_id,
            permissions: req.body.permissions ?? req.query.permissions ?? '0',
            reason: auditReason(req),
          }),
  );

  const AuthorizedApp = Type.Object({
    id: Snowflake,
    scopes: Type.Array(Type.String()),
    integration_type: Type.Literal(1),
    application: Type.Object({
      id: Snowflake,
      name: Type.String(),
      icon: Type.Union([Type.String(), Type.Null()]),
      description: Type.String(),
      bot: Type.Optional(User),
    }),
  });

  // Settings → Authorized Apps (Discord's client lists and revokes its OAuth2 grants here): the applications the
  // person installed to their account.
  app.get(
    '/oauth2/tokens',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['oauth2'],
        response: { 200: Type.Array(AuthorizedApp), 401: ApiErrorSchema, 403: ApiErrorSchema },
      },
    },
    async (req) => services.userInstalls.list(caller(req)),
  );

  app.delete(
    '/oauth2/tokens/:token_id',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['oauth2'],
        params: Type.Object({ token_id: Snowflake }),
        response: { 204: Type.Null(), 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema },
      },
    },
    async (req, reply) => {
      await services.userInstalls.remove(caller(req), req.params.token_id);
      return noContent(reply);
    },
  );
}
