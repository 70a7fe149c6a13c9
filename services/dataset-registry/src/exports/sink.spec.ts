import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import type { ItemRecord } from '../versions/content-address';
import { writeExport } from './exporter';
import { parseCsv } from './formats';
import { createExportSink, LocalDirSink, S3Sink } from './sink';

/**
 * An S3-compatible endpoint on loopback that stores PutObject bodies (path-style requests),
 * enough to check what the sink sends. Not a real object store: the S3Sink has not been run
 * against AWS S3 or MinIO here.
 */
async function fakeS3() {
  const objects = new Map<string, { body: Buffer; headers: http.IncomingHttpHeaders }>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'PUT') return void res.writeHead(405).end();
      const body = Buffer.concat(chunks);
      const want = req.headers['x-amz-checksum-sha256'];
      if (want && want !== createHash('sha256').update(body).digest('base64')) return void res.writeHead(400).end('<Error><Code>BadDigest</Code></Error>');
      objects.set(decodeURIComponent((req.url ?? '').split('?')[0]), { body, headers: req.headers });
      res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const object = (key: string) => {
    const o = objects.get(key);
    if (!o) throw new Error(`no object ${key}`);
    return o;
  };
  return {
    objects,
    object,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const rec = (i: number): ItemRecord => ({
  itemId: `i${i}`,
  inputUri: `u${i}`,
  contentHash: `h${i}`,
  label: i % 2 ? 'a' : 'b',
  split: 'train',
  confidence: 1,
  agreement: 1,
});

describe('export sinks', () => {
  it('uploads every file and the manifest (last) to S3-compatible storage with sha256 checksums', async () => {
    const s3 = await fakeS3();
    try {
      const client = new S3Client({
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        requestChecksumCalculation: 'WHEN_REQUIRED',
      });
      const sink = new S3Sink(client, 'exports', 'labelloop/');
      let staged = '';
      const spy = jest.spyOn(sink, 'stage').mockImplementation(async () => (staged = await S3Sink.prototype.stage.call(sink)));
      async function* batches() {
        yield [rec(1), rec(2)];
        yield [rec(3)];
      }
      const r = await writeExport(sink, { datasetId: 'proj a', versionId: 'v9', formats: ['jsonl', 'csv'] }, batches());
      spy.mockRestore();
      expect(r.uri).toBe('s3://exports/labelloop/proj%20a/v9/');
      const keys = [...s3.objects.keys()];
      expect(keys).toEqual([
        '/exports/labelloop/proj%20a/v9/data.jsonl',
        '/exports/labelloop/proj%20a/v9/data.csv',
        '/exports/labelloop/proj%20a/v9/manifest.jsonl+csv.json',
      ]);
      const manifest = s3.object(keys[2]);
      expect(createHash('sha256').update(manifest.body).digest('hex')).toBe(r.manifestSha256);
      for (const f of JSON.parse(manifest.body.toString()).files) {
        expect(
          createHash('sha256')
            .update(s3.object(`/exports/labelloop/proj%20a/v9/${f.name}`).body)
            .digest('hex'),
        ).toBe(f.sha256);
      }
      expect(parseCsv(s3.object(keys[1]).body.toString())).toHaveLength(4);
      expect(s3.object(keys[0]).headers['x-amz-checksum-sha256']).toBeDefined();
      expect(existsSync(staged)).toBe(false); // the staging copy is gone
    } finally {
      await s3.close();
    }
  });

  it('picks the sink from the configuration', () => {
    const base = { REGISTRY_EXPORT_DIR: '/tmp/x', REGISTRY_S3_PREFIX: '', REGISTRY_S3_REGION: 'eu-west-1', REGISTRY_S3_FORCE_PATH_STYLE: true };
    expect(createExportSink(base)).toBeInstanceOf(LocalDirSink);
    expect(createExportSink({ ...base, REGISTRY_S3_BUCKET: 'b', REGISTRY_S3_ENDPOINT: 'http://127.0.0.1:9000' })).toBeInstanceOf(S3Sink);
  });
});
