import { CreateRole, ModifyRole, Role, RolePositions, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { auditReason, noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['roles'];
const GuildParams = Type.Object({ guild_id: Snowflake });
const RoleParams = Type.Object({ guild_id: Snowflake, role_id: Snowflake });
const errors = errorResponses(400, 401, 403, 404);

export function rolesRoutes(app: Api, { services }: RouteContext): void {
  const { roles } = services;

  app.get(
    '/guilds/:guild_id/roles',
    {
      config: { auth: 'any' },
      schema: { tags, params: GuildParams, response: { 200: Type.Array(Role), ...errors } },
    },
    async (req) => roles.list(caller(req), req.params.guild_id),
  );

  app.post(
    '/guilds/:guild_id/roles',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        body: CreateRole,
        response: { 200: Role, ...errors },
      },
    },
    async (req) => roles.create(caller(req), req.params.guild_id, req.body, auditReason(req)),
  );

  app.patch(
    '/guilds/:guild_id/roles',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        body: RolePositions,
        response: { 200: Type.Array(Role), ...errors },
      },
    },
    async (req) => roles.reorder(caller(req), req.params.guild_id, req.body, auditReason(req)),
  );

  app.get(
    '/guilds/:guild_id/roles/:role_id',
    { config: { auth: 'any' }, schema: { tags, params: RoleParams, response: { 200: Role, ...errors } } },
    async (req) => roles.get(caller(req), req.params.guild_id, req.params.role_id),
  );

  app.patch(
    '/guilds/:guild_id/roles/:role_id',
    {
      config: { auth: 'any' },
      schema: { tags, params: RoleParams, body: ModifyRole, response: { 200: Role, ...errors } },
    },
    async (req) =>
      roles.modify(caller(req), req.params.guild_id, req.params.role_id, req.body, auditReason(req)),
  );

  app.delete(
    '/guilds/:guild_id/roles/:role_id',
    { config: { auth: 'any' }, schema: { tags, params: RoleParams, response: errors } },
    async (req, reply) => {
      await roles.delete(caller(req), req.params.guild_id, req.params.role_id, auditReason(req));
      return noContent(reply);
    },
  );
}
