import {
  CreateGuild,
  Guild,
  Member,
  ModifyCurrentMember,
  ModifyGuild,
  ModifyMember,
  Nullable,
  PartialGuild,
  Snowflake,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { auditReason, noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['guilds'];
const GuildParams = Type.Object({ guild_id: Snowflake });
const MemberParams = Type.Object({ guild_id: Snowflake, user_id: Snowflake });
const errors = errorResponses(400, 401, 403, 404);

export function guildsRoutes(app: Api, { services }: RouteContext): void {
  const { guilds, members } = services;

  app.post(
    '/guilds',
    { config: { auth: 'any' }, schema: { tags, body: CreateGuild, response: { 201: Guild, ...errors } } },
    async (req, reply) => {
      reply.code(201);
      return guilds.create(caller(req), req.body);
    },
  );

  app.get(
    '/guilds/:guild_id',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        querystring: Type.Object({ with_counts: Type.Optional(Type.Boolean()) }),
        response: { 200: Guild, ...errors },
      },
    },
    async (req) =>
      guilds.get(caller(req), req.params.guild_id, { withCounts: req.query.with_counts ?? false }),
  );

  app.patch(
    '/guilds/:guild_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: GuildParams, body: ModifyGuild, response: { 200: Guild, ...errors } },
    },
    async (req) => guilds.modify(caller(req), req.params.guild_id, req.body, auditReason(req)),
  );

  app.delete(
    '/guilds/:guild_id',
    { config: { auth: 'any' }, schema: { tags, params: GuildParams, response: errors } },
    async (req, reply) => {
      await guilds.delete(caller(req), req.params.guild_id);
      return noContent(reply);
    },
  );

  app.get(
    '/users/@me/guilds',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        querystring: Type.Object({
          before: Type.Optional(Snowflake),
          after: Type.Optional(Snowflake),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          with_counts: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Array(PartialGuild), ...errors },
      },
    },
    async (req) =>
      guilds.listMine(caller(req), {
        before: req.query.before,
        after: req.query.after,
        limit: req.query.limit ?? 200,
        withCounts: req.query.with_counts ?? false,
      }),
  );

  app.delete(
    '/users/@me/guilds/:guild_id',
    { config: { auth: 'any' }, schema: { tags, params: GuildParams, response: errors } },
    async (req, reply) => {
      await members.leave(caller(req), req.params.guild_id);
      return noContent(reply);
    },
  );

  // Members
  app.get(
    '/guilds/:guild_id/members',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Snowflake),
        }),
        response: { 200: Type.Array(Member), ...errors },
      },
    },
    async (req) =>
      members.list(caller(req), req.params.guild_id, { limit: req.query.limit ?? 1, after: req.query.after }),
  );

  app.get(
    '/guilds/:guild_id/members/search',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        querystring: Type.Object({
          query: Type.String({ minLength: 1, maxLength: 100 }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Array(Member), ...errors },
      },
    },
    async (req) => members.search(caller(req), req.params.guild_id, req.query.query, req.query.limit ?? 1),
  );

  app.patch(
    '/guilds/:guild_id/members/@me',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        body: Type.Object(
          {
            ...ModifyCurrentMember.properties,
            avatar: Type.Optional(Nullable(Type.String({ pattern: '^data:' }))),
          },
          { additionalProperties: false },
        ),
        response: { 200: Member, ...errors },
      },
    },
    async (req) => members.modifyMe(caller(req), req.params.guild_id, req.body, auditReason(req)),
  );

  app.get(
    '/guilds/:guild_id/members/:user_id',
    { config: { auth: 'any' }, schema: { tags, params: MemberParams, response: { 200: Member, ...errors } } },
    async (req) => members.get(caller(req), req.params.guild_id, req.params.user_id),
  );

  app.patch(
    '/guilds/:guild_id/members/:user_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: MemberParams, body: ModifyMember, response: { 200: Member, ...errors } },
    },
    async (req) =>
      members.modify(caller(req), req.params.guild_id, req.params.user_id, req.body, auditReason(req)),
  );

  app.delete(
    '/guilds/:guild_id/members/:user_id',
    { config: { auth: 'any' }, schema: { tags, params: MemberParams, response: errors } },
    async (req, reply) => {
      await members.kick(caller(req), req.params.guild_id, req.params.user_id, auditReason(req));
      return noContent(reply);
    },
  );

  const RoleMemberParams = Type.Object({ guild_id: Snowflake, user_id: Snowflake, role_id: Snowflake });
  for (const [method, add] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    app[method](
      '/guilds/:guild_id/members/:user_id/roles/:role_id',
      { config: { auth: 'any' }, schema: { tags, params: RoleMemberParams, response: errors } },
      async (req, reply) => {
        await members.setRole(
          caller(req),
          req.params.guild_id,
          req.params.user_id,
          req.params.role_id,
          add,
          auditReason(req),
        );
        return noContent(reply);
      },
    );
  }
}
