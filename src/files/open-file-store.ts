// The file store the settings name: S3-compatible storage when S3_BUCKET is set, else local
// disk under DATA_DIR/files. The only place that chooses; callers hold a FileStore.

import { join } from 'node:path';
import { ConfigError } from '../config.ts';
import type { FileStore } from './file-store.ts';
import { openDiskFileStore } from './disk-file-store.ts';
import { openS3FileStore } from './s3/s3-file-store.ts';

export interface FileStoreConfig {
  DATA_DIR: string;
  S3_BUCKET: string;
  S3_REGION: string;
  S3_ENDPOINT: string;
  S3_FORCE_PATH_STYLE: boolean;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
}

export async function openFileStore(config: FileStoreConfig, o: { partSize?: number } = {}): Promise<FileStore> {
  if (!config.S3_BUCKET) return openDiskFileStore(join(config.DATA_DIR, 'files'));
  if (!config.AWS_ACCESS_KEY_ID || !config.AWS_SECRET_ACCESS_KEY) {
    throw new ConfigError('S3_BUCKET is set: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required too');
  }
  return openS3FileStore({
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    credentials: { accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY },
    partSize: o.partSize,
  });
}
