import { MastodonPollVote, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';

const IdParams = Type.Object({ id: Snowflake });

/** `/api/v1/polls/…`: a status's poll (its id is the status's) and voting in it. */
export function pollsRoutes(app: Api, { services }: RouteContext): void {
  const { polls } = services.social;

  app.get('/api/v1/polls/:id', { config: { auth: 'optional' }, schema: { params: IdParams } }, async (req) =>
    polls.get(req.principal?.userId ?? null, req.params.id),
  );

  app.post(
    '/api/v1/polls/:id/votes',
    { config: { auth: 'user' }, schema: { params: IdParams, body: MastodonPollVote } },
    async (req) => polls.vote(caller(req), req.params.id, req.body.choices),
  );
}
