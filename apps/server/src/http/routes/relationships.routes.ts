import { Snowflake, User } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../auth';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['relationships'];
const errors = errorResponses(400, 401, 403, 404);
const Params = Type.Object({ user_id: Snowflake });

/** Friends, requests and blocks. People only: bots have no relationships. */
export function relationshipsRoutes(app: Api, { services }: RouteContext): void {
  const { relationships } = services;

  app.get(
    '/users/@me/relationships',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        response: {
          200: Type.Array(
            Type.Object({
              id: Snowflake,
              type: Type.Integer(),
              nickname: Type.Union([Type.String(), Type.Null()]),
              since: Type.String(),
              user: User,
            }),
          ),
          ...errors,
        },
      },
    },
    async (req) => relationships.list(caller(req)),
  );

  app.post(
    '/users/@me/relationships',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 32 }),
          discriminator: Type.Optional(Type.Union([Type.String(), Type.Integer(), Type.Null()])),
        }),
        response: errors,
      },
    },
    async (req, reply) => {
      await relationships.requestByUsername(caller(req), req.body.username);
      return noContent(reply);
    },
  );

  app.put(
    '/users/@me/relationships/:user_id',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        params: Params,
        body: Type.Object({ type: Type.Optional(Type.Integer()) }),
        response: errors,
      },
    },
    async (req, reply) => {
      await relationships.put(caller(req), req.params.user_id, req.body.type);
      return noContent(reply);
    },
  );

  app.delete(
    '/users/@me/relationships/:user_id',
    { config: { auth: 'user' }, schema: { tags, params: Params, response: errors } },
    async (req, reply) => {
      await relationships.remove(caller(req), req.params.user_id);
      return noContent(reply);
    },
  );
}
