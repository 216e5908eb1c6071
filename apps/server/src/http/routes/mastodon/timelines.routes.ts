import { MastodonPageQuery, MastodonPublicTimelineQuery } from '@hearth/protocol';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';
import { setLinkHeader } from './link';

/** `/api/v1/timelines/home` and `/api/v1/timelines/public`, paged with Link headers. */
export function timelinesRoutes(app: Api, { services, config }: RouteContext): void {
  const { timelines } = services.social;

  app.get(
    '/api/v1/timelines/home',
    { config: { auth: 'user' }, schema: { querystring: MastodonPageQuery } },
    async (req, reply) => {
      const page = await timelines.home(caller(req), req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );

  app.get(
    '/api/v1/timelines/public',
    { config: { auth: 'optional' }, schema: { querystring: MastodonPublicTimelineQuery } },
    async (req, reply) => {
      const page = await timelines.public(req.principal?.userId ?? null, req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );
}
