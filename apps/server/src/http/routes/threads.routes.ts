import { Channel, CreateMessage, Limits, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { invalidField } from '../../domain/errors';
import { caller } from '../auth';
import { formCheck, readMessageForm, refuseRestOfBody } from '../multipart';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['threads'];
const errors = errorResponses(400, 401, 403, 404);
const ArchiveDuration = Type.Union([
  Type.Literal(60),
  Type.Literal(1440),
  Type.Literal(4320),
  Type.Literal(10080),
]);
const CreateThread = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  auto_archive_duration: Type.Optional(ArchiveDuration),
  rate_limit_per_user: Type.Optional(Type.Integer({ minimum: 0, maximum: 21600 })),
  type: Type.Optional(Type.Integer()),
  invitable: Type.Optional(Type.Boolean()),
});
/** In a forum or media channel: a post, with its starter message and tags. */
const StartThread = Type.Object({
  ...CreateThread.properties,
  applied_tags: Type.Optional(Type.Array(Snowflake, { maxItems: Limits.appliedTagsMax })),
  message: Type.Optional(CreateMessage),
});
const checkStartThread = formCheck(StartThread);
/** The same, with `name` checked in the handler: a multipart body reaches validation empty (its form is read later). */
const StartThreadBody = Type.Object({
  ...StartThread.properties,
  name: Type.Optional(CreateThread.properties.name),
});
const ThreadMember = Type.Object({
  id: Snowflake,
  user_id: Snowflake,
  join_timestamp: Type.String(),
  flags: Type.Integer(),
});
const ThreadChannel = Type.Object({ ...Channel.properties }, { additionalProperties: true });
const ChannelParams = Type.Object({ channel_id: Snowflake });
const MemberParams = Type.Object({ channel_id: Snowflake, user_id: Snowflake });

export function threadsRoutes(app: Api, { services }: RouteContext): void {
  const { threads } = services;

  app.post(
    '/channels/:channel_id/messages/:message_id/threads',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ channel_id: Snowflake, message_id: Snowflake }),
        body: CreateThread,
        response: { 201: Type.Any(), ...errors },
      },
    },
    async (req, reply) => {
      reply.code(201);
      return threads.fromMessage(caller(req), req.params.channel_id, req.params.message_id, req.body);
    },
  );

  app.post(
    '/channels/:channel_id/threads',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        description:
          'A thread without a starting message; in a forum or media channel, a post: the thread and its first message (JSON, or multipart with payload_json and files[n]).',
        params: ChannelParams,
        body: StartThreadBody,
        response: { 201: Type.Any(), ...errors },
      },
    },
    async (req, reply) => {
      const { forumPosts } = services;
      if (!req.isMultipart()) {
        const { name } = req.body;
        if (name === undefined) throw invalidField(['name'], 'BASE_TYPE_REQUIRED', 'This field is required');
        reply.code(201);
        return forumPosts.startThread(caller(req), req.params.channel_id, { ...req.body, name });
      }
      try {
        // Authorized on the forum of the URL before a byte of the form is read.
        const upload = await forumPosts.startUpload(caller(req), req.params.channel_id);
        const payload = await readMessageForm(req, upload, checkStartThread);
        reply.code(201);
        return await forumPosts.startThread(caller(req), req.params.channel_id, payload, upload);
      } catch (err) {
        refuseRestOfBody(req, reply);
        throw err;
      }
    },
  );

  app.put(
    '/channels/:channel_id/thread-members/@me',
    { config: { auth: 'any' }, schema: { tags, params: ChannelParams, response: errors } },
    async (req, reply) => {
      await threads.join(caller(req), req.params.channel_id);
      return noContent(reply);
    },
  );
  app.delete(
    '/channels/:channel_id/thread-members/@me',
    { config: { auth: 'any' }, schema: { tags, params: ChannelParams, response: errors } },
    async (req, reply) => {
      await threads.leave(caller(req), req.params.channel_id);
      return noContent(reply);
    },
  );
  app.put(
    '/channels/:channel_id/thread-members/:user_id',
    { config: { auth: 'any' }, schema: { tags, params: MemberParams, response: errors } },
    async (req, reply) => {
      await threads.addMember(caller(req), req.params.channel_id, req.params.user_id);
      return noContent(reply);
    },
  );
  app.delete(
    '/channels/:channel_id/thread-members/:user_id',
    { config: { auth: 'any' }, schema: { tags, params: MemberParams, response: errors } },
    async (req, reply) => {
      await threads.removeMemberBy(caller(req), req.params.channel_id, req.params.user_id);
      return noContent(reply);
    },
  );
  app.get(
    '/channels/:channel_id/thread-members',
    {
      config: { auth: 'any' },
      schema: { tags, params: ChannelParams, response: { 200: Type.Array(ThreadMember), ...errors } },
    },
    async (req) => threads.members(caller(req), req.params.channel_id),
  );
  for (const kind of ['public', 'private'] as const)
    app.get(
      `/channels/:channel_id/threads/archived/${kind}`,
      {
        config: { auth: 'any' },
        schema: {
          tags,
          params: ChannelParams,
          querystring: Type.Object({
            before: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          }),
          response: {
            200: Type.Object({
              threads: Type.Array(ThreadChannel),
              members: Type.Array(ThreadMember),
              has_more: Type.Boolean(),
            }),
            ...errors,
          },
        },
      },
      async (req) => threads.archived(caller(req), req.params.channel_id, kind, req.query),
    );

  app.get(
    '/guilds/:guild_id/threads/active',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ guild_id: Snowflake }),
        response: {
          200: Type.Object({ threads: Type.Array(ThreadChannel), members: Type.Array(ThreadMember) }),
          ...errors,
        },
      },
    },
    async (req) => threads.active(caller(req), req.params.guild_id),
  );
}
