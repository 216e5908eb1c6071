import {
  AttachmentUploads,
  BulkDelete,
  CreateMessage,
  EditMessage,
  HistoryQuery,
  Message,
  RequestAttachmentUploads,
  Snowflake,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { formCheck, readMessageForm, refuseRestOfBody } from '../multipart';
import { auditReason, noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['messages'];
const errors = errorResponses(400, 401, 403, 404, 429);
const ChannelParams = Type.Object({ channel_id: Snowflake });
const MessageParams = Type.Object({ channel_id: Snowflake, message_id: Snowflake });
const checkEdit = formCheck(EditMessage);

export function messagesRoutes(app: Api, { services }: RouteContext): void {
  const { messages } = services;

  app.post(
    '/channels/:channel_id/messages',
    {
      config: { auth: 'any', bucket: 'message-create' },
      schema: { tags, params: ChannelParams, body: CreateMessage, response: { 200: Message, ...errors } },
    },
    async (req, reply) => {
      if (!req.isMultipart()) return messages.create(caller(req), req.params.channel_id, req.body);
      try {
        // Authorized on the channel of the URL before a byte of the form is read, whatever its parts' order.
        const upload = await messages.startUpload(caller(req), req.params.channel_id);
        const payload = await readMessageForm(req, upload);
        return await messages.create(caller(req), req.params.channel_id, payload, upload);
      } catch (err) {
        refuseRestOfBody(req, reply);
        throw err;
      }
    },
  );

  // Discord's cloud-upload flow: announce files, PUT each to its upload_url, then name them in a message.
  app.post(
    '/channels/:channel_id/attachments',
    {
      config: { auth: 'any', bucket: 'message-create' },
      schema: {
        tags,
        params: ChannelParams,
        body: RequestAttachmentUploads,
        response: { 200: AttachmentUploads, ...errors },
      },
    },
    async (req) => messages.requestUploads(caller(req), req.params.channel_id, req.body),
  );

  // Discord's cancel of an upload not sent: the upload_filename (`<id>/<name>`) URL-encoded as one segment, as
  // Discord's clients send it, or unencoded as two (the first then holds the id; one parameter name for both, as the
  // router keeps one per position).
  for (const twoSegments of [false, true]) {
    app.delete(
      twoSegments ? '/attachments/:upload_filename/:filename' : '/attachments/:upload_filename',
      {
        config: { auth: 'any', bucket: 'message-delete' },
        schema: {
          tags,
          params: twoSegments
            ? Type.Object({
                upload_filename: Snowflake,
                filename: Type.String({ minLength: 1, maxLength: 255 }),
              })
            : Type.Object({ upload_filename: Type.String({ minLength: 1, maxLength: 300 }) }),
          response: errors,
        },
      },
      async (req, reply) => {
        const p = req.params as { upload_filename: string; filename?: string };
        const name = p.filename === undefined ? p.upload_filename : `${p.upload_filename}/${p.filename}`;
        await messages.cancelUpload(caller(req), name);
        return noContent(reply);
      },
    );
  }

  app.get(
    '/channels/:channel_id/messages',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: ChannelParams,
        querystring: HistoryQuery,
        response: { 200: Type.Array(Message), ...errors },
      },
    },
    async (req) => messages.history(caller(req), req.params.channel_id, req.query),
  );

  app.get(
    '/channels/:channel_id/messages/:message_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: MessageParams, response: { 200: Message, ...errors } },
    },
    async (req) => messages.get(caller(req), req.params.channel_id, req.params.message_id),
  );

  app.patch(
    '/channels/:channel_id/messages/:message_id',
    {
      config: { auth: 'any', bucket: 'message-edit' },
      schema: { tags, params: MessageParams, body: EditMessage, response: { 200: Message, ...errors } },
    },
    async (req, reply) => {
      const { channel_id: channelId, message_id: messageId } = req.params;
      if (!req.isMultipart()) return messages.edit(caller(req), channelId, messageId, req.body);
      try {
        // The author, allowed to attach files, is known before a byte of the form is read.
        const upload = await messages.startEditUpload(caller(req), channelId, messageId);
        const input = await readMessageForm(req, upload, checkEdit);
        return await messages.edit(caller(req), channelId, messageId, input, upload);
      } catch (err) {
        refuseRestOfBody(req, reply);
        throw err;
      }
    },
  );

  app.delete(
    '/channels/:channel_id/messages/:message_id',
    {
      config: { auth: 'any', bucket: 'message-delete' },
      schema: { tags, params: MessageParams, response: errors },
    },
    async (req, reply) => {
      await messages.delete(caller(req), req.params.channel_id, req.params.message_id, auditReason(req));
      return noContent(reply);
    },
  );

  app.post(
    '/channels/:channel_id/messages/bulk-delete',
    {
      config: { auth: 'any', bucket: 'message-delete' },
      schema: { tags, params: ChannelParams, body: BulkDelete, response: errors },
    },
    async (req, reply) => {
      await messages.bulkDelete(caller(req), req.params.channel_id, req.body.messages);
      return noContent(reply);
    },
  );

  app.get(
    '/channels/:channel_id/pins',
    {
      config: { auth: 'any' },
      schema: { tags, params: ChannelParams, response: { 200: Type.Array(Message), ...errors } },
    },
    async (req) => messages.pins(caller(req), req.params.channel_id),
  );

  for (const [method, pinned] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    app[method](
      '/channels/:channel_id/pins/:message_id',
      { config: { auth: 'any' }, schema: { tags, params: MessageParams, response: errors } },
      async (req, reply) => {
        await messages.setPinned(caller(req), req.params.channel_id, req.params.message_id, pinned);
        return noContent(reply);
      },
    );
  }

  app.post(
    '/channels/:channel_id/messages/:message_id/ack',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        params: MessageParams,
        body: Type.Object({
          token: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          manual: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Object({ token: Type.Null() }), ...errors },
      },
    },
    async (req) =>
      services.readStates.ack(caller(req), req.params.channel_id, req.params.message_id, {
        manual: req.body?.manual,
      }),
  );

  app.post(
    '/channels/:channel_id/typing',
    { config: { auth: 'any', bucket: 'typing' }, schema: { tags, params: ChannelParams, response: errors } },
    async (req, reply) => {
      await messages.typing(caller(req), req.params.channel_id);
      return noContent(reply);
    },
  );
}
