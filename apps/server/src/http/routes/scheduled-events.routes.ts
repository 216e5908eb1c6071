import {
  ApiError as ApiErrorSchema,
  CreateScheduledEvent,
  ModifyScheduledEvent,
  ScheduledEvent,
  ScheduledEventUser,
  ScheduledEventUsersQuery,
  Snowflake,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { auditReason, noContent } from '../reply';
import type { Api, RouteContext } from '../types';

const tags = ['scheduled-events'];
const errors = { 400: ApiErrorSchema, 401: ApiErrorSchema, 403: ApiErrorSchema, 404: ApiErrorSchema };
const GuildParams = Type.Object({ guild_id: Snowflake });
const EventParams = Type.Object({ guild_id: Snowflake, event_id: Snowflake });
const WithUserCount = Type.Object({ with_user_count: Type.Optional(Type.Boolean()) });

/** Discord's Guild Scheduled Event resource, and the client routes for marking interest (`users/@me`). */
export function scheduledEventsRoutes(app: Api, { services }: RouteContext): void {
  const { scheduledEvents: events } = services;
  const base = '/guilds/:guild_id/scheduled-events';

  app.get(
    base,
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        querystring: WithUserCount,
        response: { 200: Type.Array(ScheduledEvent), ...errors },
      },
    },
    async (req) => events.list(caller(req), req.params.guild_id, req.query.with_user_count ?? false),
  );
  app.post(
    base,
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: GuildParams,
        body: CreateScheduledEvent,
        response: { 200: ScheduledEvent, ...errors },
      },
    },
    async (req) => events.create(caller(req), req.params.guild_id, req.body, auditReason(req)),
  );
  app.get(
    `${base}/:event_id`,
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: EventParams,
        querystring: WithUserCount,
        response: { 200: ScheduledEvent, ...errors },
      },
    },
    async (req) =>
      events.get(caller(req), req.params.guild_id, req.params.event_id, req.query.with_user_count ?? false),
  );
  app.patch(
    `${base}/:event_id`,
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: EventParams,
        body: ModifyScheduledEvent,
        response: { 200: ScheduledEvent, ...errors },
      },
    },
    async (req) =>
      events.modify(caller(req), req.params.guild_id, req.params.event_id, req.body, auditReason(req)),
  );
  app.delete(
    `${base}/:event_id`,
    { config: { auth: 'any' }, schema: { tags, params: EventParams, response: errors } },
    async (req, reply) => {
      await events.delete(caller(req), req.params.guild_id, req.params.event_id, auditReason(req));
      return noContent(reply);
    },
  );
  app.get(
    `${base}/:event_id/users`,
    {
      config: { auth: 'any' },
      schema: {
        tags,
        params: EventParams,
        querystring: ScheduledEventUsersQuery,
        response: { 200: Type.Array(ScheduledEventUser), ...errors },
      },
    },
    async (req) => events.users(caller(req), req.params.guild_id, req.params.event_id, req.query),
  );
  for (const [method, interested] of [
    ['put', true],
    ['delete', false],
  ] as const)
    app[method](
      `${base}/:event_id/users/@me`,
      {
        config: { auth: 'any' },
        schema: {
          tags,
          description: 'Marks (PUT) or unmarks (DELETE) the caller as interested, as Discord’s client does.',
          params: EventParams,
          response: errors,
        },
      },
      async (req, reply) => {
        await events.setInterest(caller(req), req.params.guild_id, req.params.event_id, interested);
        return noContent(reply);
      },
    );
}
