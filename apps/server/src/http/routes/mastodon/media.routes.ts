import { ErrorCode, Limits, MastodonMediaFields, MastodonPageQuery, Snowflake } from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../../domain/errors';
import { unprocessable } from '../../../domain/social/errors';
import type { MediaFields, MediaUpload } from '../../../domain/social/media.service';
import { caller } from '../../auth';
import { rejectNulCharacters } from '../../errors';
import { refuseRestOfBody } from '../../multipart';
import type { Api, RouteContext } from '../../types';
import { setLinkHeader } from './link';

const IdParams = Type.Object({ id: Snowflake });

/**
 * `/api/v2/media` and `/api/v1/media/…`: uploads for statuses (ADR 0033), and Hearth's media library
 * (`/api/v1/hearth/media`). Every upload is processed before the answer, so both versions answer 200 with `url` set.
 */
export function mastodonMediaRoutes(app: Api, { services, config }: RouteContext): void {
  const { media } = services.social;

  for (const version of ['v1', 'v2']) {
    app.post(
      `/api/${version}/media`,
      {
        config: { auth: 'user' },
        schema: {
          description:
            'multipart/form-data: `file` (PNG, JPEG, GIF, WebP up to 10 MiB; MP4, WebM, MOV, MP3, Ogg, WAV, FLAC, M4A up to 99 MiB), `description` (alt text, ≤1500), `focus` ("x,y").',
        },
      },
      async (req, reply) => {
        if (!req.isMultipart()) throw unprocessable("File can't be blank");
        const upload = media.startUpload(caller(req));
        try {
          const fields = await readMediaForm(req, upload);
          return await upload.finish(fields);
        } catch (err) {
          await upload.discard();
          refuseRestOfBody(req, reply);
          throw multipartError(err);
        }
      },
    );
  }

  app.get('/api/v1/media/:id', { config: { auth: 'user' }, schema: { params: IdParams } }, async (req) =>
    media.get(caller(req), req.params.id),
  );

  app.put(
    '/api/v1/media/:id',
    { config: { auth: 'user' }, schema: { params: IdParams, body: MastodonMediaFields } },
    async (req) => media.update(caller(req), req.params.id, req.body ?? {}),
  );

  app.delete('/api/v1/media/:id', { config: { auth: 'user' }, schema: { params: IdParams } }, async (req) => {
    await media.remove(caller(req), req.params.id);
    return {};
  });

  // Hearth's own: the caller's uploads, attached or waiting to be, newest first.
  app.get(
    '/api/v1/hearth/media',
    {
      config: { auth: 'user' },
      schema: {
        querystring: Type.Object({ ...MastodonPageQuery.properties, trash: Type.Optional(Type.Boolean()) }),
      },
    },
    async (req, reply) => {
      const page = await media.library(caller(req), req.query);
      setLinkHeader(req, reply, config.publicUrl, page);
      return page.items;
    },
  );
  for (const [action, on] of [
    ['trash', true],
    ['restore', false],
  ] as const) {
    app.post(
      `/api/v1/hearth/media/:id/${action}`,
      { config: { auth: 'user' }, schema: { params: IdParams } },
      async (req) => {
        await media.trash(caller(req), req.params.id, on);
        return media.libraryEntry(caller(req), req.params.id);
      },
    );
  }
  app.put(
    '/api/v1/hearth/media/:id',
    { config: { auth: 'user' }, schema: { params: IdParams, body: MastodonMediaFields } },
    async (req) => media.editInLibrary(caller(req), req.params.id, req.body ?? {}),
  );
  app.delete(
    '/api/v1/hearth/media/:id',
    { config: { auth: 'user' }, schema: { params: IdParams } },
    async (req) => {
      await media.deleteFromTrash(caller(req), req.params.id);
      return {};
    },
  );
}

/** The upload form: `file` streams into the upload, `description` and `focus` are collected; other files dropped. */
async function readMediaForm(req: FastifyRequest, upload: MediaUpload): Promise<MediaFields> {
  const fields: Record<string, string> = {};
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      if (part.fieldname === 'file') {
        await upload.receive({ field: 'file', filename: part.filename, stream: part.file });
      } else {
        // A custom `thumbnail` (or anything else) is not used: read and dropped, within the image limit.
        let size = 0;
        for await (const chunk of part.file) {
          size += (chunk as Buffer).length;
          if (size > Limits.imageUploadBytes)
            throw new ApiError(413, ErrorCode.RequestTooLarge, 'Request entity too large');
        }
      }
    } else if (part.fieldname === 'description' || part.fieldname === 'focus') {
      fields[part.fieldname] = String(part.value);
    }
  }
  rejectNulCharacters(fields);
  if ((fields.description?.length ?? 0) > Limits.mediaDescriptionChars * 4)
    throw unprocessable(`Description is too long (maximum is ${Limits.mediaDescriptionChars} characters)`);
  return { description: fields.description, focus: fields.focus };
}

/** The multipart plugin's own failures (a part over its limits, a broken body) as clear answers, not 500s. */
function multipartError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  const e = err as { code?: string; statusCode?: number };
  if (typeof e.code === 'string' && e.code.startsWith('FST_')) {
    if (e.statusCode === 413) return new ApiError(413, ErrorCode.RequestTooLarge, 'Request entity too large');
    return new ApiError(400, ErrorCode.General, 'Malformed multipart body');
  }
  return err;
}
