import { MastodonMuteBody, MastodonPageQuery, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';
import { setLinkHeader } from './link';

const IdParams = Type.Object({ id: Snowflake });

/** Bookmarks, pins and mutes: `/statuses/:id/bookmark|unbookmark|pin|unpin`, `/bookmarks`, `/accounts/:id/mute|unmute`, `/mutes`. */
export function marksRoutes(app: Api, { services, config }: RouteContext): void {
  const { bookmarks, pins, mutes } = services.social;

  for (const [action, on] of [
    ['bookmark', true],
    ['unbookmark', false],
  ] as const)
    app.post(
      `/api/v1/statuses/:id/${action}`,
      { config: { auth: 'user' }, schema: { params: IdParams } },
      async (req) => bookmarks.set(caller(req), req.params.id, on),
    );
  for (const [action, on] of [
    ['pin', true],
    ['unpin', false],
  ] as const)
    app.post(
      `/api/v1/statuses/:id/${action}`,
      { config: { auth: 'user' }, schema: { params: IdParams } },
      async (req) => pins.set(caller(req), req.params.id, on),
    );

  app.get(
    '/api/v1/bookmarks',
    { config: { auth: 'user' }, schema: { querystring: MastodonPageQuery } },
    async (req, reply) => {
      const page = await bookmarks.list(caller(req), req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );

  app.post(
    '/api/v1/accounts/:id/mute',
    { config: { auth: 'user' }, schema: { params: IdParams, body: MastodonMuteBody } },
    async (req) => mutes.mute(caller(req), req.params.id, req.body),
  );
  app.post(
    '/api/v1/accounts/:id/unmute',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => mutes.unmute(caller(req), req.params.id),
  );
  app.get(
    '/api/v1/mutes',
    { config: { auth: 'user' }, schema: { querystring: MastodonPageQuery } },
    async (req, reply) => {
      const page = await mutes.list(caller(req), req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );
}
