import { Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';

const IdParams = Type.Object({ id: Snowflake });
const EmojiParams = Type.Object({ id: Snowflake, emoji: Type.String({ minLength: 1, maxLength: 64 }) });

/** Pleroma's and Akkoma's emoji reactions: `/api/v1/pleroma/statuses/:id/reactions[/:emoji]`. */
export function reactionsRoutes(app: Api, { services }: RouteContext): void {
  const { reactions } = services.social;

  app.put(
    '/api/v1/pleroma/statuses/:id/reactions/:emoji',
    { config: { auth: 'user' }, schema: { params: EmojiParams } },
    async (req) => reactions.react(caller(req), req.params.id, req.params.emoji, true),
  );
  app.delete(
    '/api/v1/pleroma/statuses/:id/reactions/:emoji',
    { config: { auth: 'user' }, schema: { params: EmojiParams } },
    async (req) => reactions.react(caller(req), req.params.id, req.params.emoji, false),
  );
  app.get(
    '/api/v1/pleroma/statuses/:id/reactions',
    { config: { auth: 'optional' }, schema: { params: IdParams } },
    async (req) => reactions.list(req.principal?.userId ?? null, req.params.id),
  );
  app.get(
    '/api/v1/pleroma/statuses/:id/reactions/:emoji',
    { config: { auth: 'optional' }, schema: { params: EmojiParams } },
    async (req) => reactions.list(req.principal?.userId ?? null, req.params.id, req.params.emoji),
  );
}
