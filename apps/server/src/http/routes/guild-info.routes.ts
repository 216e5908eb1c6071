import { Emoji, Integration, Member, Snowflake, Sticker } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const errors = errorResponses(401, 403, 404, 429);
const GuildParams = Type.Object({ guild_id: Snowflake });

/** The small read-only routes bots call: guild preview, their own member, integrations, voice regions. */
export function guildInfoRoutes(app: Api, { services }: RouteContext): void {
  const { guildInfo } = services;

  app.get(
    '/guilds/:guild_id/preview',
    {
      config: { auth: 'any' },
      schema: {
        tags: ['guilds'],
        params: GuildParams,
        response: {
          200: Type.Object({
            id: Snowflake,
            name: Type.String(),
            icon: Type.Union([Type.String(), Type.Null()]),
            splash: Type.Null(),
            discovery_splash: Type.Null(),
            /** Hearth's: a group's banner hash (ADR 0031). */
            banner: Type.Union([Type.String(), Type.Null()]),
            emojis: Type.Array(Emoji),
            features: Type.Array(Type.String()),
            approximate_member_count: Type.Integer(),
            approximate_presence_count: Type.Integer(),
            description: Type.Union([Type.String(), Type.Null()]),
            stickers: Type.Array(Sticker),
          }),
          ...errors,
        },
      },
    },
    async (req) => guildInfo.preview(caller(req), req.params.guild_id),
  );

  app.get(
    '/users/@me/guilds/:guild_id/member',
    {
      config: { auth: 'any' },
      schema: { tags: ['members'], params: GuildParams, response: { 200: Member, ...errors } },
    },
    async (req) => guildInfo.myMember(caller(req), req.params.guild_id),
  );

  app.get(
    '/guilds/:guild_id/integrations',
    {
      config: { auth: 'any' },
      schema: {
        tags: ['guilds'],
        params: GuildParams,
        response: { 200: Type.Array(Integration), ...errors },
      },
    },
    async (req) => guildInfo.integrations(caller(req), req.params.guild_id),
  );

  const regionList = {
    200: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        optimal: Type.Boolean(),
        deprecated: Type.Boolean(),
        custom: Type.Boolean(),
      }),
    ),
    ...errors,
  };
  app.get(
    '/voice/regions',
    { config: { auth: 'any' }, schema: { tags: ['voice'], response: regionList } },
    async () => guildInfo.voiceRegions(),
  );

  app.get(
    '/guilds/:guild_id/regions',
    { config: { auth: 'any' }, schema: { tags: ['voice'], params: GuildParams, response: regionList } },
    async (req) => guildInfo.guildVoiceRegions(caller(req), req.params.guild_id),
  );
}
