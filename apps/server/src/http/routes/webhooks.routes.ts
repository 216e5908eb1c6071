import {
  CreateWebhook,
  EditWebhookMessage,
  ExecuteWebhook,
  ExecuteWebhookQuery,
  Message,
  ModifyWebhook,
  ModifyWebhookWithToken,
  SlackWebhookPayload,
  Snowflake,
  Webhook,
} from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isInteractionToken } from '../../domain/interactions/interaction-tokens';
import type { UploadBatch } from '../../domain/messages/uploads';
import { githubToExecute } from '../../domain/webhooks/github';
import { slackToExecute } from '../../domain/webhooks/slack';
import type { WebhookRow } from '../../domain/webhooks/webhooks.wire';
import { caller } from '../auth';
import { formCheck, readMessageForm, refuseRestOfBody } from '../multipart';
import { rateLimit } from '../rate-limit';
import { auditReason, noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['webhooks'];
const errors = errorResponses(400, 401, 403, 404, 429);
const ChannelParams = Type.Object({ channel_id: Snowflake });
const GuildParams = Type.Object({ guild_id: Snowflake });
const WebhookParams = Type.Object({ webhook_id: Snowflake });
const WebhookToken = Type.String({ minLength: 1, maxLength: 256 });
const TokenParams = Type.Object({ webhook_id: Snowflake, webhook_token: WebhookToken });
const TokenMessageParams = Type.Object({
  webhook_id: Snowflake,
  webhook_token: WebhookToken,
  message_id: Type.Union([Snowflake, Type.Literal('@original')]),
});
const ThreadQuery = Type.Object({ thread_id: Type.Optional(Snowflake) });

const checkExecute = formCheck(ExecuteWebhook);
const checkEdit = formCheck(EditWebhookMessage);

export function webhooksRoutes(app: Api, { services, limiter, config }: RouteContext): void {
  const { webhooks, webhookMessages, interactions } = services;

  // Discord's webhook limits: 5 requests per 2 s per webhook, and 30 messages a minute into one channel. Only
  // requests with the right token count, so whoever merely knows a webhook's id (every message it sent shows it)
  // cannot spend its budget; the token is checked once per request.
  const opened = (req: FastifyRequest) => {
    const r = req as FastifyRequest & { webhook?: Promise<WebhookRow> };
    const p = req.params as { webhook_id: string; webhook_token: string };
    // An interaction's webhook (ADR 0039) is counted as its application's, by the id in the path.
    if (isInteractionToken(p.webhook_token))
      return Promise.resolve({ id: p.webhook_id, channelId: `interaction:${p.webhook_id}` } as WebhookRow);
    r.webhook ??= webhooks.authenticate(p.webhook_id, p.webhook_token);
    return r.webhook;
  };
  const perWebhook = {
    bucket: 'webhook',
    limit: 5,
    windowMs: 2000,
    key: async (req: FastifyRequest) => (await opened(req)).id,
  };
  const perChannel = {
    bucket: 'webhook-channel',
    limit: 30,
    windowMs: 60_000,
    key: async (req: FastifyRequest) => (await opened(req)).channelId,
  };
  const tokenLimits = config.rateLimits ? { preHandler: rateLimit(limiter, perWebhook) } : {};
  const executeLimits = config.rateLimits ? { preHandler: rateLimit(limiter, perWebhook, perChannel) } : {};

  app.post(
    '/channels/:channel_id/webhooks',
    {
      config: { auth: 'any' },
      schema: { tags, params: ChannelParams, body: CreateWebhook, response: { 200: Webhook, ...errors } },
    },
    async (req) => webhooks.create(caller(req), req.params.channel_id, req.body, auditReason(req)),
  );
  app.get(
    '/channels/:channel_id/webhooks',
    {
      config: { auth: 'any' },
      schema: { tags, params: ChannelParams, response: { 200: Type.Array(Webhook), ...errors } },
    },
    async (req) => webhooks.listChannel(caller(req), req.params.channel_id),
  );
  app.get(
    '/guilds/:guild_id/webhooks',
    {
      config: { auth: 'any' },
      schema: { tags, params: GuildParams, response: { 200: Type.Array(Webhook), ...errors } },
    },
    async (req) => webhooks.listGuild(caller(req), req.params.guild_id),
  );
  app.get(
    '/webhooks/:webhook_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: WebhookParams, response: { 200: Webhook, ...errors } },
    },
    async (req) => webhooks.get(caller(req), req.params.webhook_id),
  );
  app.patch(
    '/webhooks/:webhook_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: WebhookParams, body: ModifyWebhook, response: { 200: Webhook, ...errors } },
    },
    async (req) => webhooks.modify(caller(req), req.params.webhook_id, req.body, auditReason(req)),
  );
  app.delete(
    '/webhooks/:webhook_id',
    { config: { auth: 'any' }, schema: { tags, params: WebhookParams, response: errors } },
    async (req, reply) => {
      await webhooks.delete(caller(req), req.params.webhook_id, auditReason(req));
      return noContent(reply);
    },
  );

  // The token routes: no Authorization, the token in the path instead.
  app.get(
    '/webhooks/:webhook_id/:webhook_token',
    { ...tokenLimits, schema: { tags, params: TokenParams, response: { 200: Webhook, ...errors } } },
    async (req) => webhooks.getWithToken(req.params.webhook_id, req.params.webhook_token),
  );
  app.patch(
    '/webhooks/:webhook_id/:webhook_token',
    {
      ...tokenLimits,
      schema: {
        tags,
        params: TokenParams,
        body: ModifyWebhookWithToken,
        response: { 200: Webhook, ...errors },
      },
    },
    async (req) =>
      webhooks.modifyWithToken(req.params.webhook_id, req.params.webhook_token, req.body, auditReason(req)),
  );
  app.delete(
    '/webhooks/:webhook_id/:webhook_token',
    { ...tokenLimits, schema: { tags, params: TokenParams, response: errors } },
    async (req, reply) => {
      await webhooks.deleteWithToken(req.params.webhook_id, req.params.webhook_token, auditReason(req));
      return noContent(reply);
    },
  );

  app.post(
    '/webhooks/:webhook_id/:webhook_token',
    {
      ...executeLimits,
      schema: {
        tags,
        params: TokenParams,
        querystring: ExecuteWebhookQuery,
        body: ExecuteWebhook,
        response: { 200: Message, ...errors },
      },
    },
    async (req, reply) => {
      const { webhook_id: id, webhook_token: token } = req.params;
      // An interaction's follow-up: the application's id and the interaction's token (always answered with it).
      if (isInteractionToken(token)) {
        if (!req.isMultipart()) return interactions.followUp(id, token, req.body ?? {});
        try {
          const upload = await interactions.startWebhookUpload(id, token);
          return await interactions.followUp(
            id,
            token,
            await readMessageForm(req, upload, checkExecute),
            upload,
          );
        } catch (err) {
          refuseRestOfBody(req, reply);
          throw err;
        }
      }
      const threadId = req.query.thread_id;
      let input = (req.body ?? {}) as ExecuteWebhook;
      let upload: UploadBatch | undefined;
      if (req.isMultipart()) {
        try {
          // Authorized by the token before a byte of the form is read, as a message's files are.
          upload = await webhookMessages.startUpload(id, token, threadId);
          input = await readMessageForm(req, upload, checkExecute);
        } catch (err) {
          refuseRestOfBody(req, reply);
          throw err;
        }
      }
      const message = await webhookMessages.execute(id, token, input, { threadId, upload });
      if (!req.query.wait) return noContent(reply);
      return message;
    },
  );

  app.post(
    '/webhooks/:webhook_id/:webhook_token/slack',
    {
      ...executeLimits,
      schema: { tags, params: TokenParams, querystring: ExecuteWebhookQuery, body: SlackWebhookPayload },
    },
    async (req, reply) => {
      const message = await webhookMessages.execute(
        req.params.webhook_id,
        req.params.webhook_token,
        slackToExecute(req.body),
        { threadId: req.query.thread_id },
      );
      // Slack answers a plain "ok"; with `wait`, the message as Discord does.
      if (req.query.wait) return reply.type('application/json').send(JSON.stringify(message));
      return reply.type('text/plain').send('ok');
    },
  );

  app.post(
    '/webhooks/:webhook_id/:webhook_token/github',
    {
      ...executeLimits,
      schema: {
        tags,
        params: TokenParams,
        querystring: ExecuteWebhookQuery,
        body: Type.Object({}, { additionalProperties: true }),
        response: { 200: Message, ...errors },
      },
    },
    async (req, reply) => {
      const event = req.headers['x-github-event'];
      const input = githubToExecute(typeof event === 'string' ? event : '', req.body);
      // Events Discord does not post (ping among them) are accepted and dropped.
      if (!input) {
        await webhooks.authenticate(req.params.webhook_id, req.params.webhook_token);
        return noContent(reply);
      }
      const message = await webhookMessages.execute(req.params.webhook_id, req.params.webhook_token, input, {
        threadId: req.query.thread_id,
      });
      if (!req.query.wait) return noContent(reply);
      return message;
    },
  );

  app.get(
    '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    {
      ...tokenLimits,
      schema: {
        tags,
        params: TokenMessageParams,
        querystring: ThreadQuery,
        response: { 200: Message, ...errors },
      },
    },
    async (req) =>
      isInteractionToken(req.params.webhook_token)
        ? interactions.getMessage(req.params.webhook_id, req.params.webhook_token, req.params.message_id)
        : webhookMessages.get(
            req.params.webhook_id,
            req.params.webhook_token,
            req.params.message_id,
            req.query.thread_id,
          ),
  );
  app.patch(
    '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    {
      ...tokenLimits,
      schema: {
        tags,
        params: TokenMessageParams,
        querystring: ThreadQuery,
        body: EditWebhookMessage,
        response: { 200: Message, ...errors },
      },
    },
    async (req, reply) => {
      const { webhook_id: id, webhook_token: token, message_id: messageId } = req.params;
      if (isInteractionToken(token)) {
        if (!req.isMultipart()) return interactions.editWebhookMessage(id, token, messageId, req.body);
        // An interaction's message takes new files too: payload_json's `attachments` lists the ones it keeps.
        try {
          const upload = await interactions.startWebhookUpload(id, token);
          const input = await readMessageForm(req, upload, checkEdit);
          return await interactions.editWebhookMessage(id, token, messageId, input, upload);
        } catch (err) {
          refuseRestOfBody(req, reply);
          throw err;
        }
      }
      const threadId = req.query.thread_id;
      if (!req.isMultipart()) return webhookMessages.edit(id, token, messageId, req.body, { threadId });
      // Authorized by the token before a byte of the form is read; payload_json's `attachments` lists the kept files.
      try {
        const upload = await webhookMessages.startUpload(id, token, threadId);
        const input = await readMessageForm(req, upload, checkEdit);
        return await webhookMessages.edit(id, token, messageId, input, { threadId, upload });
      } catch (err) {
        refuseRestOfBody(req, reply);
        throw err;
      }
    },
  );
  app.delete(
    '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    {
      ...tokenLimits,
      schema: { tags, params: TokenMessageParams, querystring: ThreadQuery, response: errors },
    },
    async (req, reply) => {
      if (isInteractionToken(req.params.webhook_token)) {
        await interactions.deleteWebhookMessage(
          req.params.webhook_id,
          req.params.webhook_token,
          req.params.message_id,
        );
        return noContent(reply);
      }
      await webhookMessages.delete(
        req.params.webhook_id,
        req.params.webhook_token,
        req.params.message_id,
        req.query.thread_id,
      );
      return noContent(reply);
    },
  );
}
