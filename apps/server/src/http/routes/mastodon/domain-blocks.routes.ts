import { HearthKnownInstance, Snowflake } from '@hearth/protocol';
import { Type } from 'typebox';
import { unprocessable } from '../../../domain/social/errors';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';

const IdParams = Type.Object({ id: Snowflake });
const Domain = Type.String({ minLength: 1, maxLength: 253 });
const DomainBody = Type.Object({ domain: Domain });
const OptionalDomain = Type.Object({ domain: Type.Optional(Domain) });
const AdminDomainBlockBody = Type.Object({
  domain: Domain,
  severity: Type.Optional(Type.String({ maxLength: 16 })),
  private_comment: Type.Optional(Type.String({ maxLength: 1000 })),
  reject_media: Type.Optional(Type.Unknown()),
  reject_reports: Type.Optional(Type.Unknown()),
  public_comment: Type.Optional(Type.String({ maxLength: 1000 })),
  obfuscate: Type.Optional(Type.Unknown()),
});

/**
 * Domain blocks (ADR 0040): a user's own (`/api/v1/domain_blocks`, Mastodon's) and the instance's, for admins
 * (`/api/v1/admin/domain_blocks`, Mastodon's admin API; anyone else gets 403); and the admins' view of known
 * instances (`/api/v1/hearth/admin/instances`, Hearth's own: Mastodon's API has none).
 */
export function domainBlocksRoutes(app: Api, { services }: RouteContext): void {
  const blocks = services.social.domainBlocks;

  app.get(
    '/api/v1/hearth/admin/instances',
    {
      config: { auth: 'user' },
      schema: {
        description:
          "Admins only (INSTANCE_ADMINS): the instances Hearth knows, most stored accounts first (at most 500), each with its accounts, follows both ways, last verified activity received, last delivery that succeeded, failed deliveries since, and the admins' block of it.",
        response: { 200: Type.Array(HearthKnownInstance) },
      },
    },
    async (req) => services.social.instances.list(caller(req)),
  );

  app.get('/api/v1/domain_blocks', { config: { auth: 'user' } }, async (req) => blocks.mine(caller(req)));
  app.post(
    '/api/v1/domain_blocks',
    { config: { auth: 'user' }, schema: { body: DomainBody } },
    async (req) => {
      await blocks.block(caller(req), req.body.domain);
      return {};
    },
  );
  // Mastodon's clients send the domain as a query parameter or in the body.
  app.delete(
    '/api/v1/domain_blocks',
    { config: { auth: 'user' }, schema: { querystring: OptionalDomain } },
    async (req) => {
      const body = (req.body ?? {}) as { domain?: unknown };
      const domain = req.query.domain ?? (typeof body.domain === 'string' ? body.domain : undefined);
      if (!domain) throw unprocessable('Domain is missing');
      await blocks.unblock(caller(req), domain);
      return {};
    },
  );

  app.get('/api/v1/admin/domain_blocks', { config: { auth: 'user' } }, async (req) =>
    blocks.list(caller(req)),
  );
  app.get(
    '/api/v1/admin/domain_blocks/:id',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => blocks.get(caller(req), req.params.id),
  );
  app.post(
    '/api/v1/admin/domain_blocks',
    { config: { auth: 'user' }, schema: { body: AdminDomainBlockBody } },
    async (req) => blocks.create(caller(req), req.body),
  );
  app.delete(
    '/api/v1/admin/domain_blocks/:id',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => blocks.remove(caller(req), req.params.id),
  );
}
