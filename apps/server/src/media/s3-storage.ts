import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertValidKey, type MediaStorage } from './storage';

export interface S3Options {
  /** e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`; AWS's own endpoint when null. */
  endpoint: string | null;
  bucket: string;
  region: string;
  /** Null: the AWS SDK's default credential chain (environment, instance role, …). */
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key` (MinIO, Garage, s3rver, …). */
  forcePathStyle: boolean;
}

// lib-storage holds at most PART_BYTES × QUEUE parts of one upload in memory, whatever the file's size.
const PART_BYTES = 5 * 1024 * 1024;
const QUEUE = 2;

/**
 * Files in an S3-compatible bucket, shared by every Hearth process. Streams go up as multipart uploads (aborted,
 * parts and all, when the stream fails) and come down as the object's body; the content type is the object's.
 */
export function createS3Storage(opts: S3Options): MediaStorage {
  const client = new S3Client({
    region: opts.region,
    forcePathStyle: opts.forcePathStyle,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });
  const Bucket = opts.bucket;
  return {
    async put(key, data, contentType) {
      assertValidKey(key);
      if (Buffer.isBuffer(data)) {
        await client.send(new PutObjectCommand({ Bucket, Key: key, Body: data, ContentType: contentType }));
        return { size: data.length };
      }
      let size = 0;
      let sourceError: unknown = null;
      const counted = Readable.from(
        (async function* () {
          try {
            for await (const chunk of data as AsyncIterable<Buffer>) {
              size += chunk.length;
              yield chunk;
            }
          } catch (err) {
            sourceError = err;
            throw err;
          }
        })(),
      );
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: counted, ContentType: contentType },
        partSize: PART_BYTES,
        queueSize: QUEUE,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (err) {
        // The stream's own error (an upload over its limit) is the one that matters, not how the abort went.
        throw sourceError ?? err;
      }
      return { size };
    },
    async get(key) {
      assertValidKey(key);
      try {
        const res = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        return {
          body: res.Body as Readable,
          contentType: res.ContentType ?? 'application/octet-stream',
          size: res.ContentLength ?? 0,
        };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async delete(key) {
      assertValidKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    async deletePrefix(prefix) {
      const folder = `${prefix.replace(/\/+$/, '')}/`;
      assertValidKey(folder.slice(0, -1));
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: folder, ContinuationToken: token }),
        );
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (keys.length) await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys } }));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
      } catch (err) {
        const status = (err as S3ServiceException).$metadata?.httpStatusCode;
        if (status === 404) throw new Error('the bucket does not exist');
        if (status === 403) throw new Error('access denied with these keys');
        throw new Error((err as Error).message || (err as Error).name);
      }
    },
    async close() {
      client.destroy();
    },
  };
}

function isMissing(err: unknown): boolean {
  if (err instanceof S3ServiceException)
    return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404;
  return false;
}
