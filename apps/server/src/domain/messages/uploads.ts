import { Readable } from 'node:stream';
import { ErrorCode, Limits } from '@hearth/protocol';
import { imageInfo, makePreview } from '../../media/images';
import { sniffContentType } from '../../media/sniff';
import type { Deps } from '../deps';
import { ApiError, invalidField } from '../errors';
import type { StagedFile } from './attachments';

/** A file part as it arrives: read once, as a stream. */
export interface IncomingFile {
  /** The form field, e.g. `files[0]`. */
  field: string;
  filename: string;
  stream: AsyncIterable<Buffer>;
  /** The attachment id it is stored for, when already given (a cloud upload's); a new one otherwise. */
  id?: string;
}

// The type is sniffed from this many first bytes (sniffContentType looks at most at 8 KiB).
const SNIFF_BYTES = 8192;
// Images up to this size get dimensions and a preview; their bytes are the only ones kept in memory, and only this
// many. A larger image is stored and served like any file, without a preview.
const PREVIEW_SOURCE_MAX_BYTES = Limits.imageUploadBytes;

export const tooLarge = (limit: number) =>
  new ApiError(
    413,
    ErrorCode.RequestTooLarge,
    `Request entity too large: the files of one message may be at most ${limit} bytes`,
  );

/**
 * The files of one message request, received after the caller was authorized to upload to the channel
 * (MessagesService.startUpload) and before its message is written. Each file streams to storage as it arrives;
 * the caller's upload limit holds for each file and for all files of the request together, counted as the bytes
 * come, so a request over it stops at the first byte past it and leaves nothing stored.
 */
export class UploadBatch {
  readonly files: StagedFile[] = [];
  private received = 0;
  private readonly folders: string[] = [];
  private kept = false;

  constructor(
    private readonly deps: Deps,
    readonly grant: { channelId: string; uploaderId: string; limitBytes: number },
  ) {}

  /** Streams one file to storage within the limits; on any failure nothing of it stays stored. */
  async receive(file: IncomingFile): Promise<void> {
    if (this.files.length >= Limits.attachmentsPerMessage)
      throw invalidField(
        ['files'],
        'BASE_TYPE_MAX_LENGTH',
        `At most ${Limits.attachmentsPerMessage} files per message.`,
      );
    const id = file.id ?? this.deps.ids.next();
    const folder = `attachments/${this.grant.channelId}/${id}`;
    // A fixed name: the attachment's own name may only be known from a payload_json after the file, and the
    // row keeps the key, so the name in URLs is free to change without moving the file.
    const storageKey = `${folder}/file`;
    this.folders.push(folder);
    try {
      const chunks = this.counted(file.stream)[Symbol.asyncIterator]();
      const head = await readHead(chunks, SNIFF_BYTES);
      const contentType = sniffContentType(head.bytes);
      const copy: KeptCopy | null = contentType.startsWith('image/') ? { chunks: [], bytes: 0 } : null;
      const body = Readable.from(keepingCopy(joined(head, chunks), copy, PREVIEW_SOURCE_MAX_BYTES));
      const { size } = await this.deps.storage.put(storageKey, body, contentType);
      const staged: StagedFile = {
        field: file.field,
        filename: file.filename,
        id,
        folder,
        storageKey,
        contentType,
        size,
        width: null,
        height: null,
        previewKey: null,
      };
      if (copy && copy.bytes <= PREVIEW_SOURCE_MAX_BYTES)
        await this.addPreview(staged, Buffer.concat(copy.chunks));
      this.files.push(staged);
    } catch (err) {
      await this.deps.storage.deletePrefix(folder).catch(() => {});
      throw err;
    }
  }

  /** The message holding the files is written: discard() no longer removes them. */
  keep(): void {
    this.kept = true;
  }

  /** Removes every file of the batch, unless kept: the message was refused or could not be written. */
  async discard(): Promise<void> {
    if (this.kept) return;
    const folders = this.folders.splice(0);
    await Promise.all(folders.map((f) => this.deps.storage.deletePrefix(f).catch(() => {})));
  }

  /** Counts a file's bytes against the request's limit as they arrive. */
  private async *counted(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of stream) {
      this.received += chunk.length;
      if (this.received > this.grant.limitBytes) throw tooLarge(this.grant.limitBytes);
      yield chunk;
    }
  }

  private async addPreview(file: StagedFile, data: Buffer): Promise<void> {
    const info = await imageInfo(data);
    if (!info) return;
    file.width = info.width;
    file.height = info.height;
    const preview = await makePreview(data, Limits.previewSize).catch(() => null);
    if (!preview) return;
    file.previewKey = `${file.folder}/preview.webp`;
    await this.deps.storage.put(file.previewKey, preview.data, preview.contentType);
  }
}

/** The first `bytes` of a stream (all of it when shorter), and whether that was all. */
export async function readHead(
  chunks: AsyncIterator<Buffer>,
  bytes: number,
): Promise<{ bytes: Buffer; ended: boolean }> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await chunks.next();
    if (next.done) return { bytes: Buffer.concat(parts), ended: true };
    parts.push(next.value);
    length += next.value.length;
  }
  return { bytes: Buffer.concat(parts), ended: false };
}

/** The head read for sniffing, then the rest of the stream. */
export async function* joined(head: { bytes: Buffer; ended: boolean }, rest: AsyncIterator<Buffer>) {
  if (head.bytes.length) yield head.bytes;
  if (head.ended) return;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

interface KeptCopy {
  chunks: Buffer[];
  bytes: number;
}

/** Passes chunks through, keeping a copy of them while their total is at most `max` bytes (dropped past it). */
async function* keepingCopy(source: AsyncIterable<Buffer>, copy: KeptCopy | null, max: number) {
  for await (const chunk of source) {
    if (copy) {
      copy.bytes += chunk.length;
      if (copy.bytes <= max) copy.chunks.push(chunk);
      else copy.chunks.length = 0;
    }
    yield chunk;
  }
}
