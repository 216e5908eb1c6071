import { ErrorCode } from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../../domain/errors';
import {
  IMPORT_MAX_BYTES,
  IMPORT_MAX_ROWS,
  IMPORT_MODES,
  IMPORT_TYPES,
  type ImportMode,
  type ImportType,
} from '../../../domain/users/imports.service';
import { caller } from '../../auth';
import { refuseRestOfBody } from '../../multipart';
import type { Api, RouteContext } from '../../types';

const Import = Type.Object({
  id: Type.String(),
  type: Type.String(),
  mode: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('finished')]),
  total_rows: Type.Integer(),
  processed_rows: Type.Integer(),
  imported_rows: Type.Integer(),
  failed_rows: Type.Integer(),
  failures: Type.Array(Type.Object({ row: Type.Integer(), value: Type.String(), error: Type.String() })),
  created_at: Type.String(),
  finished_at: Type.Union([Type.String(), Type.Null()]),
});

/** A 400 in Mastodon's form, for a form that is not what the route takes. */
const badForm = (message: string) => new ApiError(400, ErrorCode.General, message);

/**
 * Mastodon's CSV imports (its `/settings/imports`, here under Hearth's API as the exports are; ADR 0051 addendum): a
 * file is taken and checked, then worked through by a job; its progress and failed rows are read back.
 */
export function importsRoutes(app: Api, { services }: RouteContext): void {
  const imports = services.imports;
  app.post(
    '/api/v1/hearth/imports',
    {
      config: { auth: 'user' },
      schema: {
        description: `multipart/form-data: \`data\` (a CSV file of Mastodon's export kinds, ≤ ${IMPORT_MAX_BYTES} bytes, ≤ ${IMPORT_MAX_ROWS} rows), \`type\` (${IMPORT_TYPES.join(' | ')}), \`mode\` (${IMPORT_MODES.join(' | ')}; merge by default). 202 with the import, processed by a job.`,
        response: { 202: Import },
      },
    },
    async (req, reply) => {
      if (!req.isMultipart()) throw badForm('Expected multipart/form-data with a data file');
      let form: { type: ImportType; mode: ImportMode; data: Buffer };
      try {
        form = await readImportForm(req);
      } catch (err) {
        refuseRestOfBody(req, reply);
        throw formError(err);
      }
      return reply.code(202).send(await imports.start(caller(req), form.type, form.mode, form.data));
    },
  );
  app.get(
    '/api/v1/hearth/imports',
    {
      config: { auth: 'user' },
      schema: {
        description: "The caller's newest imports (20), newest first",
        response: { 200: Type.Array(Import) },
      },
    },
    async (req) => imports.list(caller(req)),
  );
  app.get(
    '/api/v1/hearth/imports/:id',
    {
      config: { auth: 'user' },
      schema: {
        description:
          "One of the caller's imports: its progress and failed rows with their reasons (anyone else's: 404)",
        params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,20}$' }) }),
        response: { 200: Import },
      },
    },
    async (req) => imports.get(caller(req), req.params.id),
  );
}

/** The import form: `data` read whole within IMPORT_MAX_BYTES (413 past it), `type` and `mode` checked (400). */
async function readImportForm(req: FastifyRequest) {
  let data: Buffer | null = null;
  const fields: Record<string, string> = {};
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of part.file) {
        size += (chunk as Buffer).length;
        if (size > IMPORT_MAX_BYTES)
          throw new ApiError(413, ErrorCode.RequestTooLarge, 'Request entity too large');
        if (part.fieldname === 'data') chunks.push(chunk as Buffer);
      }
      if (part.fieldname === 'data') data = Buffer.concat(chunks);
    } else if (part.fieldname === 'type' || part.fieldname === 'mode') {
      fields[part.fieldname] = String(part.value).slice(0, 100);
    }
  }
  if (!data) throw badForm('data: a CSV file is required');
  const type = fields.type as ImportType;
  if (!IMPORT_TYPES.includes(type)) throw badForm(`type: one of ${IMPORT_TYPES.join(', ')}`);
  const mode = (fields.mode ?? 'merge') as ImportMode;
  if (!IMPORT_MODES.includes(mode)) throw badForm(`mode: one of ${IMPORT_MODES.join(', ')}`);
  return { type, mode, data };
}

/** The multipart plugin's own failures (a part over its limits, a broken body) as clear answers, not 500s. */
function formError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  const e = err as { code?: string; statusCode?: number };
  if (typeof e.code === 'string' && e.code.startsWith('FST_')) {
    if (e.statusCode === 413) return new ApiError(413, ErrorCode.RequestTooLarge, 'Request entity too large');
    return badForm('Malformed multipart body');
  }
  return err;
}
