import { AuditLogEntry, Ban, CreateBan, Snowflake, User } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { auditReason, noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['moderation'];
const errors = errorResponses(400, 401, 403, 404);
const GuildParams = Type.Object({ guild_id: Snowflake });
const BanParams = Type.Object({ guild_id: Snowflake, user_id: Snowflake });

export function moderationRoutes(app: Api, { services }: RouteContext): void {
  const { bans, auditLog } = services;

  app.get(
    '/guilds/:guild_id/bans',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          before: Type.Optional(Snowflake),
          after: Type.Optional(Snowflake),
        }),
        response: { 200: Type.Array(Ban), ...errors },
      },
    },
    async (req) =>
      bans.list(caller(req), req.params.guild_id, {
        limit: req.query.limit ?? 1000,
        before: req.query.before,
        after: req.query.after,
      }),
  );

  app.get(
    '/guilds/:guild_id/bans/:user_id',
    { config: { auth: 'any' }, schema: { tags, params: BanParams, response: { 200: Ban, ...errors } } },
    async (req) => bans.get(caller(req), req.params.guild_id, req.params.user_id),
  );

  app.put(
    '/guilds/:guild_id/bans/:user_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: BanParams, body: CreateBan, response: errors },
    },
    async (req, reply) => {
      const seconds = req.body.delete_message_seconds ?? (req.body.delete_message_days ?? 0) * 86400;
      await bans.create(caller(req), req.params.guild_id, req.params.user_id, seconds, auditReason(req));
      return noContent(reply);
    },
  );

  app.delete(
    '/guilds/:guild_id/bans/:user_id',
    { config: { auth: 'any' }, schema: { tags, params: BanParams, response: errors } },
    async (req, reply) => {
      await bans.remove(caller(req), req.params.guild_id, req.params.user_id, auditReason(req));
      return noContent(reply);
    },
  );

  app.get(
    '/guilds/:guild_id/audit-logs',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        querystring: Type.Object({
          user_id: Type.Optional(Snowflake),
          action_type: Type.Optional(Type.Integer({ minimum: 0 })),
          before: Type.Optional(Snowflake),
          after: Type.Optional(Snowflake),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        }),
        response: {
          200: Type.Object({
            audit_log_entries: Type.Array(AuditLogEntry),
            users: Type.Array(User),
            integrations: Type.Array(Type.Any()),
            webhooks: Type.Array(Type.Any()),
            guild_scheduled_events: Type.Array(Type.Any()),
            threads: Type.Array(Type.Any()),
            application_commands: Type.Array(Type.Any()),
            auto_moderation_rules: Type.Array(Type.Any()),
          }),
          ...errors,
        },
      },
    },
    async (req) =>
      auditLog.list(caller(req), req.params.guild_id, {
        userId: req.query.user_id,
        actionType: req.query.action_type,
        before: req.query.before,
        after: req.query.after,
        limit: req.query.limit ?? 50,
      }),
  );
}
