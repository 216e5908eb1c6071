import { Message, Snowflake } from '@hearth/protocol';
import { type Static, Type } from 'typebox';
import { caller } from '../auth';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['search'];
const errors = errorResponses(400, 401, 403, 404);
const many = <T extends Parameters<typeof Type.Array>[0]>(t: T) =>
  Type.Optional(Type.Union([t, Type.Array(t, { maxItems: 25 })]));
const Has = Type.Union(
  ['link', 'embed', 'file', 'image', 'video', 'sound', 'sticker'].map((k) => Type.Literal(k)),
);
const Query = Type.Object({
  content: Type.Optional(Type.String({ maxLength: 1024 })),
  author_id: many(Snowflake),
  channel_id: many(Snowflake),
  mentions: many(Snowflake),
  has: many(Has),
  min_id: Type.Optional(Snowflake),
  max_id: Type.Optional(Snowflake),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 25 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 9975 })),
});
const Result = Type.Object({
  total_results: Type.Integer(),
  messages: Type.Array(Type.Array(Message)),
  doing_deep_historical_index: Type.Boolean(),
});
const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

export function searchRoutes(app: Api, { services }: RouteContext): void {
  const toQuery = (q: Static<typeof Query>) => ({
    content: q.content,
    authorIds: list(q.author_id),
    channelIds: list(q.channel_id),
    mentions: list(q.mentions),
    has: list(q.has),
    minId: q.min_id,
    maxId: q.max_id,
    limit: q.limit ?? 25,
    offset: q.offset ?? 0,
  });

  app.get(
    '/guilds/:guild_id/messages/search',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ guild_id: Snowflake }),
        querystring: Query,
        response: { 200: Result, ...errors },
      },
    },
    async (req) => services.search.inGuild(caller(req), req.params.guild_id, toQuery(req.query)),
  );

  app.get(
    '/channels/:channel_id/messages/search',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ channel_id: Snowflake }),
        querystring: Query,
        response: { 200: Result, ...errors },
      },
    },
    async (req) => services.search.inChannel(caller(req), req.params.channel_id, toQuery(req.query)),
  );
}
