import { CreateMessage, CreateStickerFields, ErrorCode, Limits } from '@hearth/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { ApiError, invalidField } from '../domain/errors';
import { tooLarge, type UploadBatch } from '../domain/messages/uploads';
import { type AjvError, invalidFormBody, rejectNulCharacters } from './errors';
import { invalidJson, parseClientJson } from './json-body';

const checkStickerFields = Compile(CreateStickerFields);
const FILE_FIELD = /^files?(\[\d+\])?$/;
// After a refusal, up to this much of the unread body is read and dropped, so that a client which writes its whole
// body before reading (fetch, discord.js) still reads the answer on a kept-alive connection; past it the
// connection is cut once the answer is out.
const DRAIN_MAX_BYTES = 1024 * 1024;
// payload_json is read as text whatever its Content-Type, at most this long (the plugin's fieldSize).
const PAYLOAD_JSON_MAX_BYTES = 1024 * 1024;

/**
 * busboy's choice of which parts stream as files, plus payload_json: read as a stream, its text reaches Hearth's own
 * JSON reading even when labelled `application/json` (Eris labels it), which the plugin would otherwise parse
 * itself — rounding ids sent as numbers past 2^53 and ignoring the depth limit.
 */
const formParts = {
  isPartAFile: (field?: string, contentType?: string, filename?: string) =>
    field === 'payload_json' || contentType === 'application/octet-stream' || filename !== undefined,
  // payload_json counts as a file to busboy: room for it besides the attachments.
  limits: { files: Limits.attachmentsPerMessage + 1 },
};

/** The text of a payload_json part, refused past PAYLOAD_JSON_MAX_BYTES. */
async function readPayloadText(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > PAYLOAD_JSON_MAX_BYTES)
      throw new ApiError(413, ErrorCode.RequestTooLarge, 'Request entity too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A body check for the payload_json of a form. */
interface PayloadCheck<T> {
  Check(value: unknown): value is T;
  Errors(value: unknown): unknown;
}

/**
 * The check of a form's payload_json against `schema`, as ajv checks JSON bodies against it. TypeBox's compiled
 * check knows no `nullable` (the OpenAPI keyword Nullable marks simple types with, for ajv): a top-level null where
 * the schema marks its field nullable (`"content": null`, sent by discord.py with files only) is set aside while
 * checking, and stays in the payload for the domain, which reads it as absent, as it does from a JSON body.
 */
export function formCheck<S extends TSchema>(schema: S): PayloadCheck<Static<S>> {
  const compiled = Compile(schema);
  const properties = (schema as { properties?: Record<string, { nullable?: boolean }> }).properties ?? {};
  const checked = (value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const entries = Object.entries(value).filter(([key, v]) => !(v === null && properties[key]?.nullable));
    return Object.fromEntries(entries);
  };
  return {
    Check: (value: unknown): value is Static<S> => compiled.Check(checked(value)),
    Errors: (value: unknown) => compiled.Errors(checked(value)),
  };
}

const checkMessage = formCheck(CreateMessage);

/**
 * Discord's multipart message form: `payload_json` and `files[n]` parts, in either order. Each file streams into
 * the upload batch (already authorized) as it arrives; parts of other names are read and dropped, their bytes
 * counted against the same limit. On any failure the files received so far are removed.
 */
export async function readMessageForm<T = CreateMessage>(
  request: FastifyRequest,
  upload: UploadBatch,
  check: PayloadCheck<T> = checkMessage as PayloadCheck<unknown> as PayloadCheck<T>,
): Promise<T> {
  return (await readForm(request, check, async () => upload)).payload;
}

/**
 * The same form where what may be uploaded is only known from the payload (an interaction names its channel, or
 * its token its interaction): payload_json must come first, as Discord's clients and libraries send it; it is
 * checked, then `authorize` decides before a byte of the first file is read. No batch when no file came.
 */
export async function readPayloadFirstForm<T>(
  request: FastifyRequest,
  check: PayloadCheck<T>,
  authorize: (payload: T) => Promise<UploadBatch>,
): Promise<{ payload: T; upload: UploadBatch | null }> {
  return readForm(request, check, async (payload) => {
    if (payload === undefined)
      throw invalidField(['payload_json'], 'BASE_TYPE_REQUIRED', 'payload_json must come before the files.');
    if (!check.Check(payload)) throw invalidFormBody(check.Errors(payload) as unknown as AjvError[]);
    rejectNulCharacters(payload);
    return authorize(payload);
  });
}

/** Reads a form: payload_json, and files into the batch `batchFor` gives when the first one arrives. */
async function readForm<T>(
  request: FastifyRequest,
  check: PayloadCheck<T>,
  batchFor: (payload: T | undefined) => Promise<UploadBatch>,
): Promise<{ payload: T; upload: UploadBatch | null }> {
  let payload: unknown;
  let upload: UploadBatch | null = null;
  let skipped = 0;
  try {
    for await (const part of request.parts(formParts)) {
      if (part.type === 'file') {
        if (part.fieldname === 'payload_json') {
          payload = parseClientJson(await readPayloadText(part.file));
          continue;
        }
        if (!FILE_FIELD.test(part.fieldname)) {
          for await (const chunk of part.file) {
            skipped += (chunk as Buffer).length;
            if (skipped > (upload?.grant.limitBytes ?? Limits.defaultUploadLimitBytes))
              throw tooLarge(upload?.grant.limitBytes ?? Limits.defaultUploadLimitBytes);
          }
          continue;
        }
        upload ??= await batchFor(payload as T | undefined);
        const filename = part.filename || 'file';
        if (filename.includes('\u0000')) rejectNulCharacters({ [part.fieldname]: filename });
        await upload.receive({ field: part.fieldname, filename, stream: part.file });
        // Past the plugin's per-file ceiling busboy cuts the file short: never store it as if whole.
        if (part.file.truncated) throw tooLarge(upload.grant.limitBytes);
      }
    }
    payload ??= {};
    rejectNulCharacters(payload);
    if (!check.Check(payload)) throw invalidFormBody(check.Errors(payload) as unknown as AjvError[]);
    return { payload, upload };
  } catch (err) {
    await upload?.discard();
    if (err instanceof ApiError) throw err;
    if ((err as { code?: string }).code === 'FST_INVALID_JSON_FIELD_ERROR') throw invalidJson();
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) throw new ApiError(413, ErrorCode.RequestTooLarge, 'Request entity too large');
    throw new ApiError(400, ErrorCode.General, 'Malformed multipart body');
  }
}

/**
 * Create Guild Sticker's form: the text fields `name`, `description`, `tags` and one file part (`file`) of at most
 * Limits.stickerFileBytes, read into memory. A larger file is refused at its first byte past the limit.
 */
export async function readStickerForm(
  request: FastifyRequest,
): Promise<{ fields: CreateStickerFields; file: Buffer }> {
  const fields: Record<string, string> = {};
  let file: Buffer | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of part.file) {
          size += (chunk as Buffer).length;
          if (size > Limits.stickerFileBytes || file)
            throw invalidField(
              ['file'],
              'STICKER_FILE_INVALID',
              file
                ? 'Only one file may be sent.'
                : `The file must be at most ${Limits.stickerFileBytes / 1024} KiB.`,
            );
          chunks.push(chunk as Buffer);
        }
        if (part.fieldname === 'file') file = Buffer.concat(chunks);
      } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) throw new ApiError(413, ErrorCode.RequestTooLarge, 'Request entity too large');
    throw new ApiError(400, ErrorCode.General, 'Malformed multipart body');
  }
  rejectNulCharacters(fields);
  if (!checkStickerFields.Check(fields))
    throw invalidFormBody(checkStickerFields.Errors(fields) as unknown as AjvError[]);
  if (!file?.length) throw invalidField(['file'], 'BASE_TYPE_REQUIRED', 'A sticker file is required.');
  return { fields, file };
}

/**
 * Called when a multipart request is refused before its body was read: the answer goes out at once and the body is
 * not received — a small rest is dropped as it comes, a large one (declared or counted) closes the connection.
 */
export function refuseRestOfBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  if (raw.complete) return;
  const declared = Number(raw.headers['content-length']);
  if (declared > DRAIN_MAX_BYTES) {
    reply.header('connection', 'close');
    return;
  }
  raw.unpipe();
  let dropped = 0;
  const cut = () => raw.socket?.destroy();
  raw.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped <= DRAIN_MAX_BYTES) return;
    raw.removeAllListeners('data');
    if (reply.raw.writableFinished) cut();
    else reply.raw.once('finish', cut);
  });
  raw.resume();
}
