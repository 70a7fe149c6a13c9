import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';

/** A path segment safe for directories and object keys (dataset ids are free text). */
export const segment = (s: string) => encodeURIComponent(s).replace(/\./g, '%2E');

/**
 * Where exports end up. Files are first written to a local directory (`stage`), then
 * published (`publish`): the local sink publishes in place; an object-store sink uploads.
 */
export interface ExportSink {
  /** A local directory to write the files of (dataset, version) into. */
  stage(datasetId: string, versionId: string): Promise<string>;
  /** Makes the staged files (manifest last) available; returns the export URI. */
  publish(datasetId: string, versionId: string, stagedDir: string, files: string[]): Promise<string>;
}

/** Exports in a local (or mounted) directory: `<root>/<dataset>/<version>/`. */
export class LocalDirSink implements ExportSink {
  constructor(private readonly root: string) {}

  async stage(datasetId: string, versionId: string): Promise<string> {
    const dir = path.join(this.root, segment(datasetId), segment(versionId));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async publish(_datasetId: string, _versionId: string, stagedDir: string): Promise<string> {
    return `file://${stagedDir}`;
  }
}

/**
 * Exports in S3-compatible object storage: `s3://<bucket>/<prefix><dataset>/<version>/<file>`.
 * Files are staged in a temporary directory, uploaded with PutObject (with an
 * x-amz-checksum-sha256 the store verifies), manifest last, then the staging copy is removed.
 * Objects up to 5 GB (one PutObject); larger exports would need multipart upload.
 */
export class S3Sink implements ExportSink {
  constructor(
    private readonly client: Pick<S3Client, 'send'>,
    private readonly bucket: string,
    private readonly prefix = '',
    private readonly stagingRoot = os.tmpdir(),
  ) {}

  async stage(): Promise<string> {
    return mkdtemp(path.join(this.stagingRoot, 'labelloop-export-'));
  }

  async publish(datasetId: string, versionId: string, stagedDir: string, files: string[]): Promise<string> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const base = `${this.prefix}${segment(datasetId)}/${segment(versionId)}/`;
    try {
      for (const name of files) {
        const body = await readFile(path.join(stagedDir, name));
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: base + name,
            Body: body,
            ContentLength: body.length,
            ContentType: name.endsWith('.json')
              ? 'application/json'
              : name.endsWith('.csv')
                ? 'text/csv'
                : name.endsWith('.jsonl')
                  ? 'application/x-ndjson'
                  : 'application/octet-stream',
            ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
          }),
        );
      }
    } finally {
      await rm(stagedDir, { recursive: true, force: true });
    }
    return `s3://${this.bucket}/${base}`;
  }
}

/** DI token of the export sink. */
export const EXPORT_SINK = Symbol('labelloop.registry.exportSink');

/** The sink the configuration asks for: S3 when REGISTRY_S3_BUCKET is set, else the local directory. */
export function createExportSink(config: {
  REGISTRY_EXPORT_DIR: string;
  REGISTRY_S3_BUCKET?: string;
  REGISTRY_S3_PREFIX: string;
  REGISTRY_S3_ENDPOINT?: string;
  REGISTRY_S3_REGION: string;
  REGISTRY_S3_FORCE_PATH_STYLE: boolean;
}): ExportSink {
  if (!config.REGISTRY_S3_BUCKET) return new LocalDirSink(config.REGISTRY_EXPORT_DIR);
  const { S3Client } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const client = new S3Client({
    region: config.REGISTRY_S3_REGION,
    endpoint: config.REGISTRY_S3_ENDPOINT,
    forcePathStyle: config.REGISTRY_S3_FORCE_PATH_STYLE,
    // Checksums are sent explicitly (x-amz-checksum-sha256); no aws-chunked trailers, which
    // some S3-compatible stores do not accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return new S3Sink(client, config.REGISTRY_S3_BUCKET, config.REGISTRY_S3_PREFIX);
}
