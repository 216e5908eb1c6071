import { ApiError as ApiErrorSchema, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { auditReason } from '../reply';
import type { Api, RouteContext } from '../types';

/** Discord's authorize screen, as its client posts it: adds a bot to a guild. */
export function oauth2Routes(app: Api, { services }: RouteContext): void {
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
