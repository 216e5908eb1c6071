import { join } from 'node:path';
import type { Config } from '../config';
import { createLocalStorage } from './local-storage';
import { createS3Storage } from './s3-storage';
import type { MediaStorage } from './storage';

/** The configured storage: the S3 bucket when S3_BUCKET is set, else `<DATA_DIR>/media` on local disk. */
export function createMediaStorage(config: Config): MediaStorage {
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
