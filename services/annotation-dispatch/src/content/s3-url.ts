import type { S3Client } from '@aws-sdk/client-s3';
import { ContentError } from './content-error';

/** Where `s3://` items live and how their URLs are made (the DISPATCH_S3_* keys). */
export interface S3UrlConfig {
  presign: boolean;
  ttlSeconds: number;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

/**
 * The unsigned URL of an object: path style on a custom endpoint when asked
 * (`<endpoint>/<bucket>/<key>`), virtual-host style otherwise. For public buckets.
 */
export function plainS3Url(c: S3UrlConfig, bucket: string, key: string): string {
  if (!c.endpoint)
    return c.forcePathStyle
      ? `https://s3.${c.region}.amazonaws.com/${bucket}/${encodeKey(key)}`
      : `https://${bucket}.s3.${c.region}.amazonaws.com/${encodeKey(key)}`;
  const base = new URL(c.endpoint);
  const root = base.href.replace(/\/$/, '');
  if (c.forcePathStyle) return `${root}/${bucket}/${encodeKey(key)}`;
  return `${base.protocol}//${bucket}.${base.host}${base.pathname.replace(/\/$/, '')}/${encodeKey(key)}`;
}

/**
 * Makes URLs for `s3://bucket/key` items: a presigned GET (SigV4 query parameters, valid
 * `ttlSeconds`) signed with the AWS SDK's default credential chain, or the plain URL when
 * presigning is off. The SDK is loaded on first use, so deployments without S3 items never load it.
 */
export class S3UrlSigner {
  private client?: S3Client;

  constructor(private readonly c: S3UrlConfig) {}

  async url(bucket: string, key: string): Promise<string> {
    if (!this.c.presign) return plainS3Url(this.c, bucket, key);
    const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
    const { getSignedUrl } = require('@aws-sdk/s3-request-presigner') as typeof import('@aws-sdk/s3-request-presigner');
    this.client ??= new S3Client({ region: this.c.region, endpoint: this.c.endpoint, forcePathStyle: this.c.forcePathStyle });
    try {
      return await getSignedUrl(this.client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: this.c.ttlSeconds });
    } catch (e) {
      throw new ContentError('presign', `could not presign: ${(e as Error).message}`);
    }
  }

  /** Closes the S3 client, if one was made. */
  close(): void {
    this.client?.destroy();
  }
}
