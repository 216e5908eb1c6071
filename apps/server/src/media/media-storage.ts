import { join } from 'node:path';
import { type Config, ConfigError } from '../config';
import { createLocalStorage } from './local-storage';
import { createS3Storage } from './s3-storage';
import type { MediaStorage } from './storage';

/**
 * The configured storage, checked: the S3 bucket when S3_BUCKET is set, else `<DATA_DIR>/media` on local disk.
 * A bucket that does not answer stops the start with one line naming the settings.
 */
export async function openMediaStorage(config: Config): Promise<MediaStorage> {
  const storage = createMediaStorage(config);
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

function createMediaStorage(config: Config): MediaStorage {
  if (!config.s3Bucket) return createLocalStorage(join(config.dataDir, 'media'));
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
