import {
  MastodonCreateStatus,
  MastodonEditStatus,
  MastodonPageQuery,
  MastodonReblogBody,
  Snowflake,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';
import { setLinkHeader } from './link';

const IdParams = Type.Object({ id: Snowflake });

/** `/api/v1/statuses/…`: posts and comments (replies), edits, deletion, context, favourites. */
export function statusesRoutes(app: Api, ctx: RouteContext): void {
  const { posts } = ctx.services.social;

  app.post(
    '/api/v1/statuses',
    { config: { auth: 'user' }, schema: { body: MastodonCreateStatus } },
    async (req) => {
      const b = req.body;
      const key = req.headers['idempotency-key'];
      return posts.create(
        caller(req),
        { ...b, in_reply_to_id: b.in_reply_to_id ?? undefined, language: b.language ?? undefined },
        {
          idempotencyKey: typeof key === 'string' && key ? key.slice(0, 256) : undefined,
          appId: caller(req).oauth?.appId ?? null,
        },
      );
    },
  );

  app.get(
    '/api/v1/statuses/:id',
    { config: { auth: 'optional' }, schema: { params: IdParams } },
    async (req) => posts.get(req.principal?.userId ?? null, req.params.id),
  );

  app.put(
    '/api/v1/statuses/:id',
    { config: { auth: 'user' }, schema: { params: IdParams, body: MastodonEditStatus } },
    async (req) =>
      posts.edit(caller(req), req.params.id, { ...req.body, language: req.body.language ?? undefined }),
  );

  app.delete(
    '/api/v1/statuses/:id',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => posts.remove(caller(req), req.params.id),
  );

  app.get(
    '/api/v1/statuses/:id/context',
    { config: { auth: 'optional' }, schema: { params: IdParams } },
    async (req) => posts.context(req.principal?.userId ?? null, req.params.id),
  );

  app.get(
    '/api/v1/statuses/:id/history',
    { config: { auth: 'optional' }, schema: { params: IdParams } },
    async (req) => posts.history(req.principal?.userId ?? null, req.params.id),
  );

  app.get(
    '/api/v1/statuses/:id/favourited_by',
    { config: { auth: 'optional' }, schema: { params: IdParams, querystring: MastodonPageQuery } },
    async (req) => posts.favouritedBy(req.principal?.userId ?? null, req.params.id, req.query.limit),
  );

  for (const [action, on] of [
    ['favourite', true],
    ['unfavourite', false],
  ] as const) {
    app.post(
      `/api/v1/statuses/:id/${action}`,
      { config: { auth: 'user' }, schema: { params: IdParams } },
      async (req) => posts.favourite(caller(req), req.params.id, on),
    );
  }

  boostRoutes(app, ctx);
}

/** Boosts: `/api/v1/statuses/:id/reblog`, `…/unreblog`, `…/reblogged_by`. */
function boostRoutes(app: Api, { services, config }: RouteContext): void {
  const { reblogs } = services.social;
  app.post(
    '/api/v1/statuses/:id/reblog',
    { config: { auth: 'user' }, schema: { params: IdParams, body: MastodonReblogBody } },
    async (req) => reblogs.reblog(caller(req), req.params.id, req.body.visibility),
  );
  app.post(
    '/api/v1/statuses/:id/unreblog',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => reblogs.unreblog(caller(req), req.params.id),
  );
  app.get(
    '/api/v1/statuses/:id/reblogged_by',
    { config: { auth: 'optional' }, schema: { params: IdParams, querystring: MastodonPageQuery } },
    async (req, reply) => {
      const page = await reblogs.rebloggedBy(req.principal?.userId ?? null, req.params.id, req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );
}
