import { Emoji, ImageData, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { auditReason, noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['emojis'];
const errors = errorResponses(400, 401, 403, 404);
const Name = Type.String({ minLength: 2, maxLength: 32, pattern: '^[A-Za-z0-9_]+$' });
const GuildParams = Type.Object({ guild_id: Snowflake });
const EmojiParams = Type.Object({ guild_id: Snowflake, emoji_id: Snowflake });
const AppParams = Type.Object({ application_id: Snowflake });
const AppEmojiParams = Type.Object({ application_id: Snowflake, emoji_id: Snowflake });

export function emojisRoutes(app: Api, { services }: RouteContext): void {
  const { emojis, applicationEmojis } = services;

  app.get(
    '/guilds/:guild_id/emojis',
    {
      config: { auth: 'any' },
      schema: { tags, params: GuildParams, response: { 200: Type.Array(Emoji), ...errors } },
    },
    async (req) => emojis.list(caller(req), req.params.guild_id),
  );
  app.get(
    '/guilds/:guild_id/emojis/:emoji_id',
    { config: { auth: 'any' }, schema: { tags, params: EmojiParams, response: { 200: Emoji, ...errors } } },
    async (req) => emojis.get(caller(req), req.params.guild_id, req.params.emoji_id),
  );
  app.post(
    '/guilds/:guild_id/emojis',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        body: Type.Object({
          name: Name,
          image: ImageData,
          roles: Type.Optional(Type.Array(Snowflake, { maxItems: 250 })),
        }),
        response: { 201: Emoji, ...errors },
      },
    },
    async (req, reply) => {
      reply.code(201);
      return emojis.create(caller(req), req.params.guild_id, req.body, auditReason(req));
    },
  );
  app.patch(
    '/guilds/:guild_id/emojis/:emoji_id',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: EmojiParams,
        body: Type.Object({
          name: Type.Optional(Name),
          roles: Type.Optional(Type.Union([Type.Array(Snowflake, { maxItems: 250 }), Type.Null()])),
        }),
        response: { 200: Emoji, ...errors },
      },
    },
    async (req) =>
      emojis.modify(caller(req), req.params.guild_id, req.params.emoji_id, req.body, auditReason(req)),
  );
  app.delete(
    '/guilds/:guild_id/emojis/:emoji_id',
    { config: { auth: 'any' }, schema: { tags, params: EmojiParams, response: errors } },
    async (req, reply) => {
      await emojis.delete(caller(req), req.params.guild_id, req.params.emoji_id, auditReason(req));
      return noContent(reply);
    },
  );

  // Application emojis: the application's owner or its bot.
  app.get(
    '/applications/:application_id/emojis',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: AppParams,
        response: { 200: Type.Object({ items: Type.Array(Emoji) }), ...errors },
      },
    },
    async (req) => applicationEmojis.list(caller(req), req.params.application_id),
  );
  app.get(
    '/applications/:application_id/emojis/:emoji_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: AppEmojiParams, response: { 200: Emoji, ...errors } },
    },
    async (req) => applicationEmojis.get(caller(req), req.params.application_id, req.params.emoji_id),
  );
  app.post(
    '/applications/:application_id/emojis',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: AppParams,
        body: Type.Object({ name: Name, image: ImageData }),
        response: { 201: Emoji, ...errors },
      },
    },
    async (req, reply) => {
      reply.code(201);
      return applicationEmojis.create(caller(req), req.params.application_id, req.body);
    },
  );
  app.patch(
    '/applications/:application_id/emojis/:emoji_id',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: AppEmojiParams,
        body: Type.Object({ name: Type.Optional(Name) }),
        response: { 200: Emoji, ...errors },
      },
    },
    async (req) =>
      applicationEmojis.modify(caller(req), req.params.application_id, req.params.emoji_id, req.body),
  );
  app.delete(
    '/applications/:application_id/emojis/:emoji_id',
    { config: { auth: 'any' }, schema: { tags, params: AppEmojiParams, response: errors } },
    async (req, reply) => {
      await applicationEmojis.delete(caller(req), req.params.application_id, req.params.emoji_id);
      return noContent(reply);
    },
  );
}
