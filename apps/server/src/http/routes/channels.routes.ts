import {
  Channel,
  ChannelPositions,
  CreateChannel,
  EditOverwrite,
  ModifyChannel,
  Snowflake,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { auditReason, noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['channels'];
const GuildParams = Type.Object({ guild_id: Snowflake });
const ChannelParams = Type.Object({ channel_id: Snowflake });
const errors = errorResponses(400, 401, 403, 404);

export function channelsRoutes(app: Api, { services }: RouteContext): void {
  const { channels } = services;

  app.get(
    '/guilds/:guild_id/channels',
    {
      config: { auth: 'any' },
      schema: { tags, params: GuildParams, response: { 200: Type.Array(Channel), ...errors } },
    },
    async (req) => channels.listForGuild(caller(req), req.params.guild_id),
  );

  app.post(
    '/guilds/:guild_id/channels',
    {
      config: { auth: 'any' },
      schema: { tags, params: GuildParams, body: CreateChannel, response: { 201: Channel, ...errors } },
    },
    async (req, reply) => {
      reply.code(201);
      return channels.create(caller(req), req.params.guild_id, req.body, auditReason(req));
    },
  );

  app.patch(
    '/guilds/:guild_id/channels',
    {
      config: { auth: 'any' },
      schema: { tags, params: GuildParams, body: ChannelPositions, response: errors },
    },
    async (req, reply) => {
      await channels.reorder(caller(req), req.params.guild_id, req.body, auditReason(req));
      return noContent(reply);
    },
  );

  app.get(
    '/channels/:channel_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: ChannelParams, response: { 200: Channel, ...errors } },
    },
    async (req) => channels.get(caller(req), req.params.channel_id),
  );

  app.patch(
    '/channels/:channel_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: ChannelParams, body: ModifyChannel, response: { 200: Channel, ...errors } },
    },
    async (req) => channels.modify(caller(req), req.params.channel_id, req.body, auditReason(req)),
  );

  app.delete(
    '/channels/:channel_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: ChannelParams, response: { 200: Channel, ...errors } },
    },
    async (req) => channels.delete(caller(req), req.params.channel_id, auditReason(req)),
  );

  const OverwriteParams = Type.Object({ channel_id: Snowflake, overwrite_id: Snowflake });
  app.put(
    '/channels/:channel_id/permissions/:overwrite_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: OverwriteParams, body: EditOverwrite, response: errors },
    },
    async (req, reply) => {
      await channels.putOverwrite(
        caller(req),
        req.params.channel_id,
        req.params.overwrite_id,
        req.body,
        auditReason(req),
      );
      return noContent(reply);
    },
  );

  app.delete(
    '/channels/:channel_id/permissions/:overwrite_id',
    { config: { auth: 'any' }, schema: { tags, params: OverwriteParams, response: errors } },
    async (req, reply) => {
      await channels.deleteOverwrite(
        caller(req),
        req.params.channel_id,
        req.params.overwrite_id,
        auditReason(req),
      );
      return noContent(reply);
    },
  );
}
