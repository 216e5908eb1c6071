import type { Readable } from 'node:stream';

/** A stored file as a stream, with what serving it needs. */
export interface StoredFile {
  body: Readable;
  contentType: string;
  size: number;
}

/**
 * Where uploaded and derived files live: local disk (the default, `local-storage.ts`) or an S3-compatible object
 * store shared by every process (`s3-storage.ts`). Keys are slash-separated paths like `avatars/123/abc.png`.
 * Files go in and come out as streams, so no caller needs a whole file in memory.
 */
export interface MediaStorage {
  /**
   * Stores bytes or a stream under `key` and resolves with the size written. When the stream fails (an upload over
   * its limit, a client that hung up) it rejects and leaves nothing under `key`.
   */
  put(key: string, data: Buffer | Readable, contentType: string): Promise<{ size: number }>;
  get(key: string): Promise<StoredFile | null>;
  delete(key: string): Promise<void>;
  /** Deletes every key under a folder, e.g. all files of one message. */
  deletePrefix(prefix: string): Promise<void>;
  /** Throws when the storage cannot be used (S3: the bucket does not answer to these keys). */
  check(): Promise<void>;
  /** Releases connections (S3); nothing for local disk. */
  close(): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Throws unless every segment is a plain name, so no key can escape the storage root. */
export function assertValidKey(key: string): void {
  const segments = key.split('/');
  for (const s of segments) {
    if (!SEGMENT.test(s) || s === '.' || s === '..')
      throw new Error(`invalid media key: ${JSON.stringify(key)}`);
  }
}

/** Reads a whole stored file into memory: for small derived files (emojis, avatars), never for uploads. */
export async function readAll(file: StoredFile): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of file.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
