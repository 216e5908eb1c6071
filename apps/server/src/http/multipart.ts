import { CreateMessage, ErrorCode } from '@hearth/protocol';
import type { FastifyRequest } from 'fastify';
import { Compile } from 'typebox/compile';
import { ApiError } from '../domain/errors';
import type { UploadedFile } from '../domain/messages/attachments';
import { type AjvError, invalidFormBody, rejectNulCharacters } from './errors';
import { parseClientJson } from './json-body';

const checkMessage = Compile(CreateMessage);

/** Discord's multipart message form: `payload_json` and `files[n]` parts, files buffered within the plugin's limits. */
export async function readMessageForm(
  request: FastifyRequest,
): Promise<{ payload: CreateMessage; files: UploadedFile[] }> {
  let payload: unknown = {};
  const files: UploadedFile[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (!/^files?(\[\d+\])?$/.test(part.fieldname)) {
          await part.toBuffer();
          continue;
        }
        const filename = part.filename || 'file';
        if (filename.includes('\u0000')) rejectNulCharacters({ [part.fieldname]: filename });
        files.push({ field: part.fieldname, filename, data: await part.toBuffer() });
      } else if (part.fieldname === 'payload_json') {
        payload = parseClientJson(String(part.value));
      }
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) throw new ApiError(413, ErrorCode.RequestTooLarge, 'Request entity too large');
    throw new ApiError(400, ErrorCode.General, 'Malformed multipart body');
  }
  rejectNulCharacters(payload);
  if (!checkMessage.Check(payload))
    throw invalidFormBody(checkMessage.Errors(payload) as unknown as AjvError[]);
  return { payload, files };
}
