import {
  ApiError as ApiErrorSchema,
  ErrorCode,
  ModifySticker,
  Snowflake,
  Sticker,
  StickerPack,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { ApiError, invalidField } from '../../domain/errors';
import { caller } from '../auth';
import { readStickerForm, refuseRestOfBody } from '../multipart';
import { auditReason, noContent } from '../reply';
import type { Api, RouteContext } from '../types';

const tags = ['stickers'];
const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema };
const GuildParams = Type.Object({ guild_id: Snowflake });
const StickerParams = Type.Object({ guild_id: Snowflake, sticker_id: Snowflake });

/** Discord's Sticker resource. Hearth ships no standard sticker packs: the pack list is empty. */
export function stickersRoutes(app: Api, { services }: RouteContext): void {
  const { stickers } = services;

  app.get(
    '/sticker-packs',
    {
      config: { auth: 'any' },
      schema: { tags, response: { 200: Type.Object({ sticker_packs: Type.Array(StickerPack) }), ...errors } },
    },
    async () => ({ sticker_packs: [] }),
  );
  app.get(
    '/sticker-packs/:pack_id',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ pack_id: Snowflake }),
        response: { 200: StickerPack, ...errors },
      },
    },
    async () => {
      throw new ApiError(404, ErrorCode.UnknownStickerPack, 'Unknown Sticker Pack');
    },
  );
  app.get(
    '/stickers/:sticker_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: Type.Object({ sticker_id: Snowflake }), response: { 200: Sticker, ...errors } },
    },
    async (req) => stickers.byId(req.params.sticker_id),
  );
  app.get(
    '/guilds/:guild_id/stickers',
    {
      config: { auth: 'any' },
      schema: { tags, params: GuildParams, response: { 200: Type.Array(Sticker), ...errors } },
    },
    async (req) => stickers.list(caller(req), req.params.guild_id),
  );
  app.get(
    '/guilds/:guild_id/stickers/:sticker_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: StickerParams, response: { 200: Sticker, ...errors } },
    },
    async (req) => stickers.get(caller(req), req.params.guild_id, req.params.sticker_id),
  );
  app.post(
    '/guilds/:guild_id/stickers',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        description:
          'multipart/form-data: `name` (2–30), `description` (empty or 2–100), `tags` (≤200) and `file` (PNG, APNG, GIF or Lottie JSON, ≤512 KiB).',
        params: GuildParams,
        response: { 201: Sticker, 413: ApiErrorSchema, ...errors },
      },
    },
    async (req, reply) => {
      if (!req.isMultipart())
        throw invalidField(['file'], 'BASE_TYPE_REQUIRED', 'Send the sticker as multipart/form-data.');
      try {
        const form = await readStickerForm(req);
        const created = await stickers.create(
          caller(req),
          req.params.guild_id,
          form.fields,
          form.file,
          auditReason(req),
        );
        reply.code(201);
        return created;
      } catch (err) {
        refuseRestOfBody(req, reply);
        throw err;
      }
    },
  );
  app.patch(
    '/guilds/:guild_id/stickers/:sticker_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: StickerParams, body: ModifySticker, response: { 200: Sticker, ...errors } },
    },
    async (req) =>
      stickers.modify(caller(req), req.params.guild_id, req.params.sticker_id, req.body, auditReason(req)),
  );
  app.delete(
    '/guilds/:guild_id/stickers/:sticker_id',
    { config: { auth: 'any' }, schema: { tags, params: StickerParams, response: errors } },
    async (req, reply) => {
      await stickers.delete(caller(req), req.params.guild_id, req.params.sticker_id, auditReason(req));
      return noContent(reply);
    },
  );
}
