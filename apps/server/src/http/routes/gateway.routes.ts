import { ApiError as ApiErrorSchema } from '@hearth/protocol';
import { Type } from 'typebox';
import type { Api, RouteContext } from '../types';

const tags = ['gateway'];

/** Where the gateway is: discord.js calls GET /gateway/bot once at login. */
export function gatewayRoutes(app: Api, { config }: RouteContext): void {
  const url = `${config.publicUrl.replace(/^http/, 'ws')}/gateway`;
  app.get(
    '/gateway',
    { schema: { tags, response: { 200: Type.Object({ url: Type.String() }) } } },
    async () => ({ url }),
  );
  app.get(
    '/gateway/bot',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        response: {
          200: Type.Object({
            url: Type.String(),
            shards: Type.Integer(),
            session_start_limit: Type.Object({
              total: Type.Integer(),
              remaining: Type.Integer(),
              reset_after: Type.Integer(),
              max_concurrency: Type.Integer(),
            }),
          }),
          401: ApiErrorSchema,
        },
      },
    },
    async () => ({
      url,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 1 },
    }),
  );
}
