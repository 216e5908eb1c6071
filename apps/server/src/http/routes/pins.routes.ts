import { Message, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { PINS_PAGE_MAX } from '../../domain/messages/pins.service';
import { caller } from '../auth';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['messages'];
const errors = errorResponses(400, 401, 403, 404, 429);

/** Discord's current pins API (discord.js 14.28, Oceanic); the older `/channels/:id/pins` routes stay too. */
export function pinsRoutes(app: Api, { services }: RouteContext): void {
  app.get(
    '/channels/:channel_id/messages/pins',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ channel_id: Snowflake }),
        querystring: Type.Object({
          before: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PINS_PAGE_MAX })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ pinned_at: Type.String(), message: Message })),
            has_more: Type.Boolean(),
          }),
          ...errors,
        },
      },
    },
    async (req) =>
      services.pins.list(caller(req), req.params.channel_id, {
        before: req.query.before ? new Date(req.query.before) : undefined,
        limit: req.query.limit,
      }),
  );

  for (const [method, pinned] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    app[method](
      '/channels/:channel_id/messages/pins/:message_id',
      {
        config: { auth: 'any' },
        schema: {
          tags,
          params: Type.Object({ channel_id: Snowflake, message_id: Snowflake }),
          response: errors,
        },
      },
      async (req, reply) => {
        await services.messages.setPinned(caller(req), req.params.channel_id, req.params.message_id, pinned);
        return noContent(reply);
      },
    );
  }
}
