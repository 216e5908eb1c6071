import { CreateInvite, Invite, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { auditReason } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['invites'];
const errors = errorResponses(400, 401, 403, 404);
const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) });

export function invitesRoutes(app: Api, { services }: RouteContext): void {
  const { invites } = services;

  app.post(
    '/channels/:channel_id/invites',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ channel_id: Snowflake }),
        body: CreateInvite,
        response: { 200: Invite, ...errors },
      },
    },
    async (req) => invites.create(caller(req), req.params.channel_id, req.body, auditReason(req)),
  );

  app.get(
    '/channels/:channel_id/invites',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ channel_id: Snowflake }),
        response: { 200: Type.Array(Invite), ...errors },
      },
    },
    async (req) => invites.listForChannel(caller(req), req.params.channel_id),
  );

  app.get(
    '/guilds/:guild_id/invites',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: Type.Object({ guild_id: Snowflake }),
        response: { 200: Type.Array(Invite), ...errors },
      },
    },
    async (req) => invites.listForGuild(caller(req), req.params.guild_id),
  );

  // The preview needs no account: an invite link must show what it leads to before anyone signs up.
  app.get(
    '/invites/:code',
    {
      schema: {
        tags,
        params: CodeParams,
        querystring: Type.Object({
          with_counts: Type.Optional(Type.Boolean()),
          with_expiration: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Invite, ...errors },
      },
    },
    async (req) => invites.preview(req.params.code, { withCounts: req.query.with_counts ?? false }),
  );

  app.post(
    '/invites/:code',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        params: CodeParams,
        response: { 200: Type.Object({ ...Invite.properties, new_member: Type.Boolean() }), ...errors },
      },
    },
    async (req) => invites.join(caller(req), req.params.code),
  );

  app.delete(
    '/invites/:code',
    { config: { auth: 'any' }, schema: { tags, params: CodeParams, response: { 200: Invite, ...errors } } },
    async (req) => invites.delete(caller(req), req.params.code, auditReason(req)),
  );
}
