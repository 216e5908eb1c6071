import {
  MastodonListAccountsBody,
  MastodonListAccountsQuery,
  MastodonListBody,
  MastodonPageQuery,
  Snowflake,
} from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';
import { setLinkHeader } from './link';

const IdParams = Type.Object({ id: Snowflake });
const ListIdParams = Type.Object({ list_id: Snowflake });

/** `account_ids[]` as clients send it: one id or several, named with or without the brackets. */
function accountIds(
  input: { account_ids?: string | string[]; 'account_ids[]'?: string | string[] } | undefined,
) {
  const value = input?.account_ids ?? input?.['account_ids[]'] ?? [];
  return Array.isArray(value) ? value : [value];
}

/** Lists: `/api/v1/lists[/:id[/accounts]]`, `/api/v1/accounts/:id/lists`, `/api/v1/timelines/list/:list_id`. */
export function listsRoutes(app: Api, { services, config }: RouteContext): void {
  const { lists } = services.social;

  app.get('/api/v1/lists', { config: { auth: 'user' } }, async (req) => lists.all(caller(req)));
  app.post('/api/v1/lists', { config: { auth: 'user' }, schema: { body: MastodonListBody } }, async (req) =>
    lists.create(caller(req), req.body),
  );
  app.get('/api/v1/lists/:id', { config: { auth: 'user' }, schema: { params: IdParams } }, async (req) =>
    lists.get(caller(req), req.params.id),
  );
  app.put(
    '/api/v1/lists/:id',
    { config: { auth: 'user' }, schema: { params: IdParams, body: MastodonListBody } },
    async (req) => lists.update(caller(req), req.params.id, req.body),
  );
  app.delete('/api/v1/lists/:id', { config: { auth: 'user' }, schema: { params: IdParams } }, async (req) =>
    lists.remove(caller(req), req.params.id),
  );

  app.get(
    '/api/v1/lists/:id/accounts',
    { config: { auth: 'user' }, schema: { params: IdParams, querystring: MastodonListAccountsQuery } },
    async (req, reply) => {
      const page = await lists.accounts(caller(req), req.params.id, req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );
  app.post(
    '/api/v1/lists/:id/accounts',
    {
      config: { auth: 'user' },
      schema: { params: IdParams, querystring: MastodonListAccountsBody, body: MastodonListAccountsBody },
    },
    async (req) =>
      lists.addAccounts(caller(req), req.params.id, [...accountIds(req.body), ...accountIds(req.query)]),
  );
  app.delete(
    '/api/v1/lists/:id/accounts',
    {
      config: { auth: 'user' },
      schema: { params: IdParams, querystring: MastodonListAccountsBody, body: MastodonListAccountsBody },
    },
    async (req) =>
      lists.removeAccounts(caller(req), req.params.id, [...accountIds(req.body), ...accountIds(req.query)]),
  );

  app.get(
    '/api/v1/accounts/:id/lists',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => lists.listsWith(caller(req), req.params.id),
  );

  app.get(
    '/api/v1/timelines/list/:list_id',
    { config: { auth: 'user' }, schema: { params: ListIdParams, querystring: MastodonPageQuery } },
    async (req, reply) => {
      const page = await lists.timeline(caller(req), req.params.list_id, req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );
}
