import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where uploaded and derived files live. Keys are slash-separated paths like `avatars/123/abc.png`. */
export interface MediaStorage {
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<{ data: Buffer; contentType: string } | null>;
  delete(key: string): Promise<void>;
  /** Deletes every key under a folder, e.g. all files of one message. */
  deletePrefix(prefix: string): Promise<void>;
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

/** Files on local disk under rootDir, each with a `.meta` sidecar holding its content type. */
export function createLocalStorage(rootDir: string): MediaStorage {
  const path = (key: string) => {
    assertValidKey(key);
    return join(rootDir, ...key.split('/'));
  };
  return {
    async put(key, data, contentType) {
      const file = path(key);
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(`${tmp}.meta`, JSON.stringify({ contentType }));
        await writeFile(tmp, data);
        // The sidecar lands first so a visible file always has its type.
        await rename(`${tmp}.meta`, `${file}.meta`);
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        await rm(`${tmp}.meta`, { force: true });
        throw err;
      }
    },
    async get(key) {
      const file = path(key);
      try {
        const [data, meta] = await Promise.all([readFile(file), readFile(`${file}.meta`, 'utf8')]);
        return { data, contentType: (JSON.parse(meta) as { contentType: string }).contentType };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async delete(key) {
      const file = path(key);
      await rm(file, { force: true });
      await rm(`${file}.meta`, { force: true });
    },
    async deletePrefix(prefix) {
      await rm(path(prefix.replace(/\/+$/, '')), { recursive: true, force: true });
    },
  };
}
