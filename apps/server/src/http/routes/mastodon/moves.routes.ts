import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { caller } from '../../auth';
import { rateLimit } from '../../rate-limit';
import type { Api, RouteContext } from '../../types';

/** `name`, `name@host` or `@name@host` (an actor IRI is accepted when taking an alias away). */
const Acct = Type.String({ minLength: 1, maxLength: 2048 });
const AliasBody = Type.Object({ acct: Acct });
const MoveBody = Type.Object({
  acct: Type.String({ minLength: 1, maxLength: 330 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});
const Aliases = Type.Object({ aliases: Type.Array(Type.String()) });

/** Alias changes and moves per account per hour: each may fetch another instance's actor. */
const ALIAS_CHANGES_PER_HOUR = 30;
const MOVES_PER_HOUR = 5;

/**
 * Account migration (ADR 0050), Hearth's own routes beside Mastodon's API (Mastodon has it in its web settings only):
 * the caller's aliases (ActivityPub `alsoKnownAs`), and moving the caller to another account that names it as one.
 */
export function movesRoutes(app: Api, { services, limiter }: RouteContext): void {
  const moves = services.social.moves;
  const perUser = (bucket: string, limit: number) =>
    rateLimit(limiter, {
      bucket,
      limit,
      windowMs: 3_600_000,
      key: (req: FastifyRequest) => caller(req).userId,
    });
  const aliasLimit = perUser('account-aliases', ALIAS_CHANGES_PER_HOUR);

  app.get(
    '/api/v1/hearth/account/aliases',
    {
      config: { auth: 'user' },
      schema: { description: "The caller's aliases (alsoKnownAs actor IRIs)", response: { 200: Aliases } },
    },
    async (req) => moves.aliases(caller(req)),
  );
  app.post(
    '/api/v1/hearth/account/aliases',
    {
      config: { auth: 'user' },
      preHandler: aliasLimit,
      schema: {
        description: 'Names another account (local, or `name@host`) as this one, so it can move here',
        body: AliasBody,
        response: { 200: Aliases },
      },
    },
    async (req) => moves.addAlias(caller(req), req.body.acct),
  );
  app.delete(
    '/api/v1/hearth/account/aliases',
    {
      config: { auth: 'user' },
      preHandler: aliasLimit,
      schema: { description: 'Takes an alias away', body: AliasBody, response: { 200: Aliases } },
    },
    async (req) => moves.removeAlias(caller(req), req.body.acct),
  );
  app.post(
    '/api/v1/hearth/account/move',
    {
      config: { auth: 'user' },
      preHandler: perUser('account-move', MOVES_PER_HOUR),
      schema: {
        description:
          "Moves the caller's followers to another account that names this one among its aliases (password confirmed)",
        body: MoveBody,
      },
    },
    async (req) => moves.move(caller(req), req.body, req.ip),
  );
}
