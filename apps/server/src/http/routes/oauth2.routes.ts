import { ApiError as ApiErrorSchema, Application, Snowflake, User } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { auditReason } from '../reply';
import type { Api, RouteContext } from '../types';

/** Discord's authorize screen, as its client posts it: adds a bot to a guild; and what a bot token authorizes. */
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
        }),
        response: {
          200: Type.Object({
            application: Type.Object({
              id: Snowflake,
              name: Type.String(),
              icon: Type.Union([Type.String(), Type.Null()]),
              description: Type.String(),
              bot_public: Type.Boolean(),
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
        }),
        body: Type.Object({
          guild_id: Snowflake,
          permissions: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
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
      services.botAuthorization.authorize(caller(req), {
        clientId: req.query.client_id,
        scope: req.query.scope,
        guildId: req.body.guild_id,
        permissions: req.body.permissions ?? req.query.permissions ?? '0',
        reason: auditReason(req),
      }),
  );
}
