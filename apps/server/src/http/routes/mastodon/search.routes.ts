import {
  MastodonAccountSearchQuery,
  MastodonDirectoryQuery,
  MastodonPageQuery,
  MastodonSearchQuery,
  MastodonTagTimelineQuery,
  MastodonTrendsQuery,
  Snowflake,
} from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';
import { setLinkHeader } from './link';

const TagParams = Type.Object({ hashtag: Type.String({ minLength: 1, maxLength: 100 }) });
const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });
const IdParams = Type.Object({ id: Snowflake });

const list = (...values: (string | string[] | undefined)[]) => values.flatMap((v) => v ?? []).slice(0, 4);

/**
 * Search and discovery: `/api/v2/search`, `/api/v1/accounts/search`, `/api/v1/directory`, `/api/v1/trends/tags`,
 * `/api/v1/tags/:name` (and `/follow`, `/unfollow`, `/api/v1/followed_tags`), `/api/v1/timelines/tag/:hashtag`, and a status's source (`/api/v1/statuses/:id/source`).
 */
export function searchRoutes(app: Api, { services, config }: RouteContext): void {
  const { search, posts, followedTags } = services.social;
  const viewer = (req: FastifyRequest) => req.principal?.userId ?? null;

  app.get(
    '/api/v2/search',
    { config: { auth: 'optional' }, schema: { querystring: MastodonSearchQuery } },
    async (req) => search.search(viewer(req), req.query),
  );

  app.get(
    '/api/v1/accounts/search',
    { config: { auth: 'optional' }, schema: { querystring: MastodonAccountSearchQuery } },
    async (req) => search.accounts(viewer(req), req.query),
  );

  app.get(
    '/api/v1/directory',
    { config: { auth: 'optional' }, schema: { querystring: MastodonDirectoryQuery } },
    async (req) => search.directory(viewer(req), req.query),
  );

  for (const path of ['/api/v1/trends/tags', '/api/v1/trends'])
    app.get(
      path,
      { config: { auth: 'optional' }, schema: { querystring: MastodonTrendsQuery } },
      async (req) => search.trendingTags(viewer(req), req.query),
    );

  app.get(
    '/api/v1/tags/:name',
    { config: { auth: 'optional' }, schema: { params: NameParams } },
    async (req) => search.tag(viewer(req), req.params.name),
  );

  for (const [action, on] of [
    ['follow', true],
    ['unfollow', false],
  ] as const)
    app.post(
      `/api/v1/tags/:name/${action}`,
      { config: { auth: 'user' }, schema: { params: NameParams } },
      async (req) => followedTags.set(caller(req), req.params.name, on),
    );

  app.get(
    '/api/v1/followed_tags',
    { config: { auth: 'user' }, schema: { querystring: MastodonPageQuery } },
    async (req, reply) => {
      const page = await followedTags.list(caller(req), req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );

  app.get(
    '/api/v1/timelines/tag/:hashtag',
    { config: { auth: 'optional' }, schema: { params: TagParams, querystring: MastodonTagTimelineQuery } },
    async (req, reply) => {
      const q = req.query;
      const page = await search.tagTimeline(viewer(req), req.params.hashtag, {
        ...q,
        any: list(q.any, q['any[]']),
        all: list(q.all, q['all[]']),
        none: list(q.none, q['none[]']),
      });
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );

  app.get(
    '/api/v1/statuses/:id/source',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => posts.source(caller(req).userId, req.params.id),
  );
}
