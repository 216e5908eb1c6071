import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidKey, type MediaStorage } from './storage';

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
      // Written beside its final name and renamed: a reader never sees half a file, a failed upload leaves none.
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      let size = 0;
      try {
        await writeFile(`${tmp}.meta`, JSON.stringify({ contentType }));
        const source = Buffer.isBuffer(data) ? Readable.from([data]) : data;
        await pipeline(
          source,
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const chunk of chunks) {
              size += chunk.length;
              yield chunk;
            }
          },
          createWriteStream(tmp),
        );
        // The sidecar lands first so a visible file always has its type.
        await rename(`${tmp}.meta`, `${file}.meta`);
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        await rm(`${tmp}.meta`, { force: true });
        throw err;
      }
      return { size };
    },
    async get(key) {
      const file = path(key);
      try {
        // Opened before its size is read, so a file deleted meanwhile still streams whole.
        const handle = await open(file);
        try {
          const [{ size }, meta] = await Promise.all([handle.stat(), readFile(`${file}.meta`, 'utf8')]);
          const { contentType } = JSON.parse(meta) as { contentType: string };
          return { body: handle.createReadStream(), contentType, size };
        } catch (err) {
          await handle.close();
          throw err;
        }
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
    // An unwritable DATA_DIR is found at start by the database and the outbox already.
    async check() {},
    async close() {},
  };
}
