import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import S3rver from 's3rver';

/** A real S3-protocol server (s3rver: SigV4 checked, multipart uploads) on loopback, with one empty bucket. */
export interface TestS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Every object key in the bucket, read from the server's own files. */
  keys(): string[];
  close(): Promise<void>;
}

export async function startS3(bucket = 'hearth-media'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'hearth-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    // s3rver's fixed credentials: requests signed with anything else are refused.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    keys() {
      // s3rver keeps each object as `<key>._S3rver_object` (with metadata files beside it).
      const root = join(directory, bucket);
      const out: string[] = [];
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (name.endsWith('._S3rver_object'))
            out.push(relative(root, path).replace(/\._S3rver_object$/, ''));
        }
      };
      walk(root);
      return out.sort();
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
