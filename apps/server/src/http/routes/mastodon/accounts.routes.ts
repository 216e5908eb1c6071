import {
  ErrorCode,
  Limits,
  MastodonAccountStatusesQuery,
  MastodonLookupQuery,
  MastodonPageQuery,
  MastodonRelationshipsQuery,
  MastodonUpdateCredentials,
  Snowflake,
} from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { ApiError } from '../../../domain/errors';
import { RelationshipType } from '../../../domain/relationships/relationships.service';
import { recordNotFound } from '../../../domain/social/errors';
import type { ProfileChanges } from '../../../domain/social/profiles.service';
import { caller, clientMeta } from '../../auth';
import { type AjvError, invalidFormBody, rejectNulCharacters } from '../../errors';
import type { Api, RouteContext } from '../../types';
import { parseRailsForm } from './form';
import { setLinkHeader } from './link';

const IdParams = Type.Object({ id: Snowflake });
const checkCredentials = Compile(MastodonUpdateCredentials);
const BOOLEAN_FIELDS = ['locked', 'bot', 'discoverable', 'indexable', 'hide_collections'];

/** `/api/v1/accounts/…` and `/api/v1/follow_requests/…`. */
export function accountsRoutes(app: Api, { services, config }: RouteContext): void {
  const { profiles, follows, posts } = services.social;
  const viewer = (req: FastifyRequest) => req.principal?.userId ?? null;

  app.get('/api/v1/accounts/verify_credentials', { config: { auth: 'user' } }, async (req) =>
    profiles.verifyCredentials(caller(req)),
  );

  app.patch(
    '/api/v1/accounts/update_credentials',
    { config: { auth: 'user' }, schema: { body: MastodonUpdateCredentials } },
    async (req) => {
      const body = req.isMultipart() ? await readProfileForm(req) : req.body;
      return profiles.update(caller(req), profileChanges(body), clientMeta(req));
    },
  );

  app.get(
    '/api/v1/accounts/relationships',
    { config: { auth: 'user' }, schema: { querystring: MastodonRelationshipsQuery } },
    async (req) => {
      const ids = [req.query.id ?? [], req.query['id[]'] ?? []].flat();
      return follows.relationships(caller(req), ids.slice(0, Limits.socialPageMax));
    },
  );

  app.get(
    '/api/v1/accounts/lookup',
    { config: { auth: 'optional' }, schema: { querystring: MastodonLookupQuery } },
    async (req) => profiles.lookupFor(viewer(req), req.query.acct),
  );

  app.get(
    '/api/v1/accounts/:id',
    { config: { auth: 'optional' }, schema: { params: IdParams } },
    async (req) => profiles.accountFor(viewer(req), req.params.id),
  );

  app.get(
    '/api/v1/accounts/:id/statuses',
    { config: { auth: 'optional' }, schema: { params: IdParams, querystring: MastodonAccountStatusesQuery } },
    async (req, reply) => {
      const page = req.query.pinned
        ? await services.social.pins.ofAccount(viewer(req), req.params.id)
        : await posts.ofAccount(viewer(req), req.params.id, req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );

  for (const which of ['followers', 'following'] as const) {
    app.get(
      `/api/v1/accounts/:id/${which}`,
      { config: { auth: 'optional' }, schema: { params: IdParams, querystring: MastodonPageQuery } },
      async (req, reply) => {
        const page =
          which === 'followers'
            ? await follows.followersOf(req.params.id, req.query)
            : await follows.followingOf(req.params.id, req.query);
        setLinkHeader(req, reply, config.publicUrl, page);
        return page.items;
      },
    );
  }

  app.post(
    '/api/v1/accounts/:id/follow',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => follows.follow(caller(req), req.params.id),
  );
  app.post(
    '/api/v1/accounts/:id/unfollow',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => follows.unfollow(caller(req), req.params.id),
  );

  app.post(
    '/api/v1/accounts/:id/remove_from_followers',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => follows.removeFollower(caller(req), req.params.id),
  );

  // Blocks are the chat side's (relationships type 2): one list for both sides, ending follows both ways.
  app.post(
    '/api/v1/accounts/:id/block',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => {
      await services.relationships.put(caller(req), req.params.id, RelationshipType.Blocked);
      return follows.relationship(caller(req).userId, req.params.id);
    },
  );
  app.post(
    '/api/v1/accounts/:id/unblock',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => {
      const me = caller(req);
      const before = await follows.relationship(me.userId, req.params.id);
      if (!before) throw recordNotFound();
      // Only a block is undone here: a friendship or a friend request is the chat side's to end.
      if (before.blocking) await services.relationships.remove(me, req.params.id);
      return follows.relationship(me.userId, req.params.id);
    },
  );

  app.get(
    '/api/v1/follow_requests',
    { config: { auth: 'user' }, schema: { querystring: MastodonPageQuery } },
    async (req, reply) => {
      const page = await follows.requests(caller(req), req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );
  for (const answer of ['authorize', 'reject'] as const) {
    app.post(
      `/api/v1/follow_requests/:id/${answer}`,
      { config: { auth: 'user' }, schema: { params: IdParams } },
      async (req) => follows.answerRequest(caller(req), req.params.id, answer === 'authorize'),
    );
  }
}

type CredentialsBody = MastodonUpdateCredentials & { avatar?: string; header?: string };

function profileChanges(body: CredentialsBody): ProfileChanges {
  const fields = body.fields_attributes;
  return {
    display_name: body.display_name,
    note: body.note,
    locked: body.locked,
    discoverable: body.discoverable ?? body.indexable,
    name_prefix: body.name_prefix,
    name_suffix: body.name_suffix,
    fields: fields === undefined ? undefined : Array.isArray(fields) ? fields : Object.values(fields),
    avatar: body.avatar,
    header: body.header,
  };
}

/**
 * update_credentials as a multipart form (masto.js sends it so): its fields as the form's, `avatar` and `header`
 * files as data URIs for the profile's image handling, each within the image upload limit.
 */
async function readProfileForm(req: FastifyRequest): Promise<CredentialsBody> {
  const entries: Array<[string, string]> = [];
  const images: { avatar?: string; header?: string } = {};
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of part.file) {
        size += (chunk as Buffer).length;
        if (size > Limits.imageUploadBytes)
          throw new ApiError(
            413,
            ErrorCode.RequestTooLarge,
            `Images are limited to ${Limits.imageUploadBytes} bytes`,
          );
        chunks.push(chunk as Buffer);
      }
      if (part.fieldname === 'avatar' || part.fieldname === 'header')
        images[part.fieldname] = `data:${part.mimetype};base64,${Buffer.concat(chunks).toString('base64')}`;
    } else {
      entries.push([part.fieldname, String(part.value)]);
    }
  }
  const form = parseRailsForm(entries);
  if (!form) throw new ApiError(400, ErrorCode.InvalidFormBody, 'Invalid form body');
  for (const key of BOOLEAN_FIELDS) {
    if (form[key] === 'true' || form[key] === '1') form[key] = true;
    else if (form[key] === 'false' || form[key] === '0') form[key] = false;
  }
  rejectNulCharacters(form);
  if (!checkCredentials.Check(form))
    throw invalidFormBody(checkCredentials.Errors(form) as unknown as AjvError[]);
  return { ...(form as MastodonUpdateCredentials), ...images };
}
