import {
  MastodonMarkersQuery,
  MastodonNotificationsQuery,
  MastodonSaveMarkers,
  Snowflake,
} from '@hearth/protocol';
import { Type } from 'typebox';
import type { NotificationsQuery } from '../../../domain/social/notifications.service';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';
import { setLinkHeader } from './link';

const IdParams = Type.Object({ id: Snowflake });

/** A list parameter sent as `name[]` or `name` (one value or many), as one list. */
const listOf = <T>(...values: Array<T | T[] | undefined>): T[] => values.flatMap((v) => v ?? []);

function notificationsQuery(q: MastodonNotificationsQuery): NotificationsQuery {
  return {
    ...q,
    types: listOf(q.types, q['types[]']),
    exclude_types: listOf(q.exclude_types, q['exclude_types[]']),
  };
}

/** `/api/v1/notifications` and `/api/v1/markers` (ADR 0029). */
export function notificationsRoutes(app: Api, { services, config }: RouteContext): void {
  const { notifications } = services.social;

  app.get(
    '/api/v1/notifications',
    { config: { auth: 'user' }, schema: { querystring: MastodonNotificationsQuery } },
    async (req, reply) => {
      const page = await notifications.list(caller(req), notificationsQuery(req.query));
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );

  app.get(
    '/api/v1/notifications/unread_count',
    { config: { auth: 'user' }, schema: { querystring: MastodonNotificationsQuery } },
    async (req) => ({ count: await notifications.unreadCount(caller(req), notificationsQuery(req.query)) }),
  );

  app.post('/api/v1/notifications/clear', { config: { auth: 'user' } }, async (req) => {
    await notifications.clear(caller(req));
    return {};
  });

  app.get(
    '/api/v1/notifications/:id',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => notifications.get(caller(req), req.params.id),
  );

  app.post(
    '/api/v1/notifications/:id/dismiss',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => {
      await notifications.dismiss(caller(req), req.params.id);
      return {};
    },
  );

  app.get(
    '/api/v1/markers',
    { config: { auth: 'user' }, schema: { querystring: MastodonMarkersQuery } },
    async (req) =>
      notifications.markers(caller(req), [...new Set(listOf(req.query.timeline, req.query['timeline[]']))]),
  );

  app.post(
    '/api/v1/markers',
    { config: { auth: 'user' }, schema: { body: MastodonSaveMarkers } },
    async (req) =>
      notifications.saveMarkers(caller(req), {
        home: req.body.home?.last_read_id,
        notifications: req.body.notifications?.last_read_id,
      }),
  );
}
