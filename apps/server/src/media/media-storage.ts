import { join } from 'node:path';
import { type Config, ConfigError } from '../config';
import { createLocalStorage } from './local-storage';
import type { MediaStorage } from './storage';

/**
 * The configured storage, checked: the S3 bucket when S3_BUCKET is set, else `<DATA_DIR>/media` on local disk.
 * A bucket that does not answer stops the start with one line naming the settings.
 */
export async function openMediaStorage(config: Config): Promise<MediaStorage> {
  const storage = await createMediaStorage(config);
  try {
    await storage.check();
  } catch (err) {
    await storage.close();
    throw new ConfigError(
      `S3_BUCKET ${config.s3Bucket} at ${config.s3Endpoint ?? `AWS ${config.s3Region}`} cannot be used: ` +
        `${(err as Error).message} (check S3_ENDPOINT, S3_BUCKET and the S3 keys)`,
    );
  }
  return storage;
}

/**
 * The AWS SDK (~12 MB of heap and ~40 MB resident once loaded) is imported only when a bucket is configured: the
 * embedded default on local disk never loads it (docs/performance.md, idle RSS).
 */
async function createMediaStorage(config: Config): Promise<MediaStorage> {
  if (!config.s3Bucket) return createLocalStorage(join(config.dataDir, 'media'));
  const { createS3Storage } = await import('./s3-storage');
  return createS3Storage({
    bucket: config.s3Bucket,
    endpoint: config.s3Endpoint,
    region: config.s3Region,
    forcePathStyle: config.s3ForcePathStyle,
    credentials:
      config.s3AccessKeyId && config.s3SecretAccessKey
        ? { accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey }
        : null,
  });
}
