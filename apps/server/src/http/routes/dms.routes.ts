import { Channel, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { invalidField } from '../../domain/errors';
import { caller } from '../auth';
import { noContent } from '../reply';
import { errorResponses } from '../route-errors';
import type { Api, RouteContext } from '../types';

const tags = ['dms'];
const errors = errorResponses(400, 401, 403, 404);

export function dmsRoutes(app: Api, { services }: RouteContext): void {
  const { dms } = services;

  app.post(
    '/users/@me/channels',
    {
      config: { auth: 'any' },
      schema: {
        tags,
        body: Type.Object({
          recipient_id: Type.Optional(Snowflake),
          recipients: Type.Optional(Type.Array(Snowflake, { minItems: 1, maxItems: 10 })),
        }),
        response: { 200: Channel, ...errors },
      },
    },
    async (req) => {
      if (req.body.recipient_id) return dms.open(caller(req), req.body.recipient_id);
      if (req.body.recipients) return dms.createGroup(caller(req), req.body.recipients);
      throw invalidField(['recipient_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
    },
  );

  app.get(
    '/users/@me/channels',
    { config: { auth: 'any' }, schema: { tags, response: { 200: Type.Array(Channel), ...errors } } },
    async (req) => dms.list(caller(req)),
  );

  const Params = Type.Object({ channel_id: Snowflake, user_id: Snowflake });
  app.put(
    '/channels/:channel_id/recipients/:user_id',
    { config: { auth: 'user' }, schema: { tags, params: Params, response: errors } },
    async (req, reply) => {
      await dms.addRecipient(caller(req), req.params.channel_id, req.params.user_id);
      return noContent(reply);
    },
  );
  app.delete(
    '/channels/:channel_id/recipients/:user_id',
    { config: { auth: 'user' }, schema: { tags, params: Params, response: errors } },
    async (req, reply) => {
      await dms.removeRecipient(caller(req), req.params.channel_id, req.params.user_id);
      return noContent(reply);
    },
  );
}
