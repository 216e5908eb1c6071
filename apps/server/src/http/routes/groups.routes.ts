import {
  ActionJoinRequest,
  CreateMessageReport,
  DiscoverableGuilds,
  GroupLimits,
  GroupTag,
  GuildJoinRequest,
  GuildJoinRequests,
  JoinRequestStatus,
  Member,
  MessageReport,
  Snowflake,
  UpdateMessageReport,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['groups'];
const errors = errorResponses(400, 401, 403, 404);
const GuildParams = Type.Object({ guild_id: Snowflake });

/** Groups (ADR 0031): the directory, joining without an invite, and join requests (Discord's shape). */
export function groupsRoutes(app: Api, { services }: RouteContext): void {
  const { groups, reports } = services;

  app.get(
    '/discoverable-guilds',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        description:
          "The directory of discoverable groups (Discord's discovery route; the search is Hearth's): groups with DISCOVERABLE that are public or approval-required, most members first",
        querystring: Type.Object({
          query: Type.Optional(Type.String({ maxLength: GroupLimits.queryMax })),
          tag: Type.Optional(GroupTag),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: GroupLimits.directoryPageMax })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: GroupLimits.directoryOffsetMax })),
        }),
        response: { 200: DiscoverableGuilds, ...errors },
      },
    },
    async (req) =>
      groups.directory(caller(req), {
        query: req.query.query,
        tag: req.query.tag,
        limit: req.query.limit ?? 24,
        offset: req.query.offset ?? 0,
      }),
  );

  app.put(
    '/guilds/:guild_id/members/@me',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        description:
          'Joins a public group without an invite: 201 with the member, 204 when already a member; 403 for an approval-required group; 404 for anything else',
        params: GuildParams,
        response: { 201: Member, ...errors },
      },
    },
    async (req, reply) => {
      const member = await groups.join(caller(req), req.params.guild_id);
      if (!member) return noContent(reply);
      reply.code(201);
      return member;
    },
  );

  app.put(
    '/guilds/:guild_id/requests/@me',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        description: 'Asks to join an approval-required group; an open request is returned as it is',
        params: GuildParams,
        response: { 200: GuildJoinRequest, ...errors },
      },
    },
    async (req) => groups.request(caller(req), req.params.guild_id),
  );

  app.get(
    '/guilds/:guild_id/requests/@me',
    {
      config: { auth: 'user' },
      schema: { tags, params: GuildParams, response: { 200: GuildJoinRequest, ...errors } },
    },
    async (req) => groups.myRequest(caller(req), req.params.guild_id),
  );

  app.delete(
    '/guilds/:guild_id/requests/@me',
    { config: { auth: 'user' }, schema: { tags, params: GuildParams, response: errors } },
    async (req, reply) => {
      await groups.withdraw(caller(req), req.params.guild_id);
      return noContent(reply);
    },
  );

  app.get(
    '/guilds/:guild_id/requests',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        description: "A group's join requests of one status, newest first (KICK_MEMBERS)",
        params: GuildParams,
        querystring: Type.Object({
          status: Type.Optional(JoinRequestStatus),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: GroupLimits.joinRequestsPageMax })),
          before: Type.Optional(Snowflake),
          after: Type.Optional(Snowflake),
        }),
        response: { 200: GuildJoinRequests, ...errors },
      },
    },
    async (req) =>
      groups.list(caller(req), req.params.guild_id, {
        status: req.query.status ?? 'SUBMITTED',
        limit: req.query.limit ?? 100,
        before: req.query.before,
        after: req.query.after,
      }),
  );

  app.patch(
    '/guilds/:guild_id/requests/:request_id',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        description: 'Approves or rejects an open join request (KICK_MEMBERS)',
        params: Type.Object({ guild_id: Snowflake, request_id: Snowflake }),
        body: ActionJoinRequest,
        response: { 200: GuildJoinRequest, ...errors },
      },
    },
    async (req) => groups.action(caller(req), req.params.guild_id, req.params.request_id, req.body),
  );

  // Reports (Hearth's own: Discord's reports go to Discord, not to a server's moderators).
  app.post(
    '/channels/:channel_id/messages/:message_id/reports',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        description:
          "Reports a guild message (a group's post or comment) to the guild's moderators; once per message",
        params: Type.Object({ channel_id: Snowflake, message_id: Snowflake }),
        body: CreateMessageReport,
        response: { 201: MessageReport, ...errors },
      },
    },
    async (req, reply) => {
      reply.code(201);
      return reports.create(caller(req), req.params.channel_id, req.params.message_id, req.body.reason);
    },
  );

  app.get(
    '/guilds/:guild_id/reports',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        description: "A guild's reports of one status, newest first (MANAGE_MESSAGES or KICK_MEMBERS)",
        params: GuildParams,
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('dismissed')]),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: GroupLimits.reportsPageMax })),
          before: Type.Optional(Snowflake),
        }),
        response: { 200: Type.Array(MessageReport), ...errors },
      },
    },
    async (req) =>
      reports.list(caller(req), req.params.guild_id, {
        status: req.query.status ?? 'open',
        limit: req.query.limit ?? 50,
        before: req.query.before,
      }),
  );

  app.patch(
    '/guilds/:guild_id/reports/:report_id',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        description: 'Marks a report resolved or dismissed (MANAGE_MESSAGES or KICK_MEMBERS)',
        params: Type.Object({ guild_id: Snowflake, report_id: Snowflake }),
        body: UpdateMessageReport,
        response: { 200: MessageReport, ...errors },
      },
    },
    async (req) => reports.update(caller(req), req.params.guild_id, req.params.report_id, req.body.status),
  );
}
