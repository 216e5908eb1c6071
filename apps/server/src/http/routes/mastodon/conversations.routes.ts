import { MastodonPageQuery, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';
import { setLinkHeader } from './link';

const IdParams = Type.Object({ id: Snowflake });

/** Conversations of direct statuses: `/api/v1/conversations`, `DELETE …/:id`, `POST …/:id/read`. */
export function conversationsRoutes(app: Api, { services, config }: RouteContext): void {
  const { conversations } = services.social;

  app.get(
    '/api/v1/conversations',
    { config: { auth: 'user' }, schema: { querystring: MastodonPageQuery } },
    async (req, reply) => {
      const page = await conversations.list(caller(req), req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );
  app.delete(
    '/api/v1/conversations/:id',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => conversations.remove(caller(req), req.params.id),
  );
  app.post(
    '/api/v1/conversations/:id/read',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => conversations.read(caller(req), req.params.id),
  );
}
