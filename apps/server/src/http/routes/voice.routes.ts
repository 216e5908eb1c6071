import {
  CallModify,
  CallRing,
  CallStopRinging,
  ModifyCurrentVoiceState,
  ModifyUserVoiceState,
  Snowflake,
  VoiceConnect,
  VoiceState,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const errors = errorResponses(400, 401, 403, 404, 429);
const tags = ['voice'];
const GuildParams = Type.Object({ guild_id: Snowflake });
const UserParams = Type.Object({ guild_id: Snowflake, user_id: Snowflake });
const ChannelParams = Type.Object({ channel_id: Snowflake });

/**
 * Voice states of a guild's members (ADR 0034): read them, and a stage's speaker state; and the media connection of
 * one's own voice state (a WebRTC offer answered by the SFU).
 */
export function voiceRoutes(app: Api, { services }: RouteContext): void {
  const { voice, calls } = services;

  // DM and group DM calls (issue 24): ring the recipients not in the call, or stop ringing (one's own: declining).
  app.post(
    '/channels/:channel_id/call/ring',
    {
      config: { auth: 'any' },
      schema: { tags, params: ChannelParams, body: Type.Optional(CallRing), response: errors },
    },
    async (req, reply) => {
      await calls.ring(caller(req), req.params.channel_id, req.body?.recipients ?? null);
      return noContent(reply);
    },
  );
  app.post(
    '/channels/:channel_id/call/stop-ringing',
    {
      config: { auth: 'any' },
      schema: { tags, params: ChannelParams, body: Type.Optional(CallStopRinging), response: errors },
    },
    async (req, reply) => {
      await calls.stopRinging(caller(req), req.params.channel_id, req.body?.recipients);
      return noContent(reply);
    },
  );

  // Discord's user clients' "change the call's region" (undocumented for bots; ADR 0034's addendum on calls).
  app.patch(
    '/channels/:channel_id/call',
    {
      config: { auth: 'any' },
      schema: { tags, params: ChannelParams, body: CallModify, response: errors },
    },
    async (req, reply) => {
      await calls.setRegion(caller(req), req.params.channel_id, req.body.region);
      return noContent(reply);
    },
  );

  app.get(
    '/guilds/:guild_id/voice-states/@me',
    {
      config: { auth: 'any' },
      schema: { tags, params: GuildParams, response: { 200: VoiceState, ...errors } },
    },
    async (req) => {
      const me = caller(req);
      return voice.get(me, req.params.guild_id, me.userId);
    },
  );

  app.get(
    '/guilds/:guild_id/voice-states/:user_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: UserParams, response: { 200: VoiceState, ...errors } },
    },
    async (req) => voice.get(caller(req), req.params.guild_id, req.params.user_id),
  );

  app.patch(
    '/guilds/:guild_id/voice-states/@me',
    {
      config: { auth: 'any' },
      schema: { tags, params: GuildParams, body: ModifyCurrentVoiceState, response: errors },
    },
    async (req, reply) => {
      const me = caller(req);
      await voice.modifyStage(me, req.params.guild_id, me.userId, req.body);
      return noContent(reply);
    },
  );

  app.patch(
    '/guilds/:guild_id/voice-states/:user_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: UserParams, body: ModifyUserVoiceState, response: errors },
    },
    async (req, reply) => {
      await voice.modifyStage(caller(req), req.params.guild_id, req.params.user_id, req.body);
      return noContent(reply);
    },
  );

  // The room of a channel may be on another process than the one serving the web app (VOICE_ENDPOINT): the offer is
  // then a cross-origin request. It carries the user's token in a header, never a cookie, so any origin may send it.
  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '600',
  };
  app.options(
    '/voice/connect',
    { schema: { tags, summary: 'CORS preflight of POST /voice/connect' } },
    async (_req, reply) => reply.headers(cors).code(204).send(),
  );
  app.post(
    '/voice/connect',
    {
      onSend: (_req, reply, payload, done) => {
        reply.header('access-control-allow-origin', '*');
        done(null, payload);
      },
      config: { auth: 'any' },
      schema: {
        tags,
        body: VoiceConnect,
        response: { 200: Type.Object({ sdp: Type.String() }), ...errors, ...errorResponses(409) },
      },
    },
    async (req) => voice.connect(caller(req), req.body),
  );
}
