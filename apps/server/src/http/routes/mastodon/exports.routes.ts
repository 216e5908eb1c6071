import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { CSV_EXPORTS } from '../../../domain/users/exports.service';
import { caller } from '../../auth';
import type { Api, RouteContext } from '../../types';

const Archive = Type.Object({
  archive: Type.Union([
    Type.Object({
      id: Type.String(),
      state: Type.Union([Type.Literal('pending'), Type.Literal('ready'), Type.Literal('failed')]),
      created_at: Type.String(),
      completed_at: Type.Union([Type.String(), Type.Null()]),
      expires_at: Type.Union([Type.String(), Type.Null()]),
      size: Type.Union([Type.Number(), Type.Null()]),
      download_url: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  next_request_at: Type.Union([Type.String(), Type.Null()]),
});
const Snowflake = Type.String({ pattern: '^[0-9]{1,20}$' });

/**
 * The caller's data to take elsewhere (ADR 0051): Mastodon's CSV exports (its `/settings/exports/*.csv`, here under
 * Hearth's API since Hearth's web app signs requests with a token rather than a cookie), written as they are read;
 * and the archive: asked for (rate-limited in the domain), its state, and its download by its owner only.
 */
export function exportsRoutes(app: Api, { services }: RouteContext): void {
  const exports = services.exports;
  app.get(
    '/api/v1/hearth/exports/:name',
    {
      config: { auth: 'user' },
      schema: {
        description: `One of Mastodon's CSV exports of the caller's account: ${CSV_EXPORTS.map((n) => `${n}.csv`).join(', ')}`,
        params: Type.Object({ name: Type.String({ pattern: `^(${CSV_EXPORTS.join('|')})\\.csv$` }) }),
      },
    },
    async (req, reply) => {
      const name = req.params.name.slice(0, -'.csv'.length) as (typeof CSV_EXPORTS)[number];
      const lines = exports.csv(caller(req), name);
      // The first page is read before the answer starts, so a failing query is an error answer, not a cut file.
      const first = await lines.next();
      async function* rest() {
        if (!first.done) yield first.value;
        yield* lines;
      }
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .header('cache-control', 'private, no-store');
      return reply.send(Readable.from(rest()));
    },
  );
  app.get(
    '/api/v1/hearth/account/archive',
    {
      config: { auth: 'user' },
      schema: {
        description:
          "The caller's newest archive request (pending, ready or failed) and when they may ask again",
        response: { 200: Archive },
      },
    },
    async (req) => exports.archiveStatus(caller(req)),
  );
  app.post(
    '/api/v1/hearth/account/archive',
    {
      config: { auth: 'user' },
      schema: {
        description:
          "Asks for an archive of the caller's data (statuses, likes, bookmarks, media, chat messages); one per ARCHIVE_INTERVAL_DAYS, else 429",
        response: { 202: Archive },
      },
    },
    async (req, reply) => reply.code(202).send(await exports.requestArchive(caller(req))),
  );
  app.get(
    '/api/v1/hearth/account/archive/:id/download',
    {
      config: { auth: 'user' },
      schema: {
        description: "Downloads the caller's ready archive (404 for anyone else's, or once it expired)",
        params: Type.Object({ id: Snowflake }),
      },
    },
    async (req, reply) => {
      const { file, filename } = await exports.openArchive(caller(req), req.params.id);
      reply
        .header('content-type', 'application/zip')
        .header('content-length', file.size)
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'private, no-store');
      return reply.send(file.body);
    },
  );
}
