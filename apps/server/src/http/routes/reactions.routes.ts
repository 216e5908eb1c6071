import { Snowflake, User } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['reactions'];
const errors = errorResponses(400, 401, 403, 404, 429);
const MessageParams = Type.Object({ channel_id: Snowflake, message_id: Snowflake });
const EmojiParams = Type.Object({
  channel_id: Snowflake,
  message_id: Snowflake,
  emoji: Type.String({ minLength: 1, maxLength: 200 }),
});
const base = '/channels/:channel_id/messages/:message_id/reactions';

export function reactionsRoutes(app: Api, { services }: RouteContext): void {
  const { reactions } = services;

  app.put(
    `${base}/:emoji/@me`,
    { config: { auth: 'any', bucket: 'reaction' }, schema: { tags, params: EmojiParams, response: errors } },
    async (req, reply) => {
      await reactions.add(caller(req), req.params.channel_id, req.params.message_id, req.params.emoji);
      return noContent(reply);
    },
  );

  app.delete(
    `${base}/:emoji/@me`,
    { config: { auth: 'any', bucket: 'reaction' }, schema: { tags, params: EmojiParams, response: errors } },
    async (req, reply) => {
      const me = caller(req);
      await reactions.remove(me, req.params.channel_id, req.params.message_id, req.params.emoji, me.userId);
      return noContent(reply);
    },
  );

  app.delete(
    `${base}/:emoji/:user_id`,
    {
      config: { auth: 'any', bucket: 'reaction' },
      schema: {
        tags,
        params: Type.Object({ ...EmojiParams.properties, user_id: Snowflake }),
        response: errors,
      },
    },
    async (req, reply) => {
      await reactions.remove(
        caller(req),
        req.params.channel_id,
        req.params.message_id,
        req.params.emoji,
        req.params.user_id,
      );
      return noContent(reply);
    },
  );

  app.get(
    `${base}/:emoji`,
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: EmojiParams,
        querystring: Type.Object({
          after: Type.Optional(Snowflake),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          type: Type.Optional(Type.Integer()),
        }),
        response: { 200: Type.Array(User), ...errors },
      },
    },
    async (req) =>
      reactions.users(caller(req), req.params.channel_id, req.params.message_id, req.params.emoji, {
        after: req.query.after,
        limit: req.query.limit ?? 25,
      }),
  );

  app.delete(
    base,
    { config: { auth: 'any' }, schema: { tags, params: MessageParams, response: errors } },
    async (req, reply) => {
      await reactions.clear(caller(req), req.params.channel_id, req.params.message_id, null);
      return noContent(reply);
    },
  );

  app.delete(
    `${base}/:emoji`,
    { config: { auth: 'any' }, schema: { tags, params: EmojiParams, response: errors } },
    async (req, reply) => {
      await reactions.clear(caller(req), req.params.channel_id, req.params.message_id, req.params.emoji);
      return noContent(reply);
    },
  );
}
