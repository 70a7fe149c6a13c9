/**
 * The content resolver against a real HTTP server on 127.0.0.1 (node:http): custom schemes and
 * http(s) content fetched server-side, its limits (timeout, size cap) and failures, and S3 URLs
 * (presigned ones checked by their X-Amz-* query parameters, and fetched from the local server
 * standing in for an S3-compatible store).
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { Metrics } from '@labelloop/observability';
import { dispatchConfigSchema } from '../dispatch.config';
import { annotatorView, displayText } from './annotator-view';
import { ContentResolver } from './content.resolver';

const MESSAGES: Record<string, string> = {
  'easy-ham-1/00001': 'Re: minutes\n\nThe minutes of the meeting are attached.',
  'spam-1/00007': 'WIN a FREE cruise: write to win@prizes.example or call +1 415 555 0134',
};

let server: Server;
let base: string;
const seen: IncomingMessage[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  seen.push(req);
  const url = new URL(req.url ?? '/', 'http://x');
  const msg = url.pathname.startsWith('/messages/') ? MESSAGES[decodeURIComponent(url.pathname.slice('/messages/'.length))] : undefined;
  if (msg !== undefined) return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(msg);
  if (url.pathname === '/slow') return void setTimeout(() => res.end('too late'), 10_000).unref();
  if (url.pathname === '/big-declared') return void res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
  if (url.pathname === '/big-chunked') {
    // No content-length: the cap has to be counted while reading.
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (let i = 0; i < 10; i++) res.write('y'.repeat(1000));
    return void res.end();
  }
  // An S3-compatible store: GET /<bucket>/<key>, answered only with a SigV4 query signature.
  if (url.pathname === '/media/emails/a%20b.txt') {
    if (!url.searchParams.get('X-Amz-Signature')) return void res.writeHead(403).end('AccessDenied');
    return void res.writeHead(200).end('an e-mail kept in S3');
  }
  res.writeHead(404).end('no such message');
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

const warnings: unknown[] = [];
const logger = { log: () => undefined, warn: (m: unknown) => warnings.push(m), error: () => undefined } as unknown as LoggerService;

/** The variables without those set to '' (unset, as the config loader reads an empty one). */
const unset = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));

function resolver(env: Record<string, string> = {}) {
  const config = dispatchConfigSchema.parse(
    unset({
      KAFKA_BROKERS: 'k:1',
      DATABASE_URL: 'postgres://x',
      DISPATCH_CONTENT_RESOLVERS: JSON.stringify({ spamassassin: `${base}/messages/{path}`, slow: `${base}/slow?u={uri}`, big: `${base}/big-{path}` }),
      // Generous for a loaded CI machine; the slow source answers after 10 s.
      DISPATCH_CONTENT_TIMEOUT_MS: '1500',
      DISPATCH_CONTENT_MAX_BYTES: '4096',
      DISPATCH_S3_ENDPOINT: base,
      DISPATCH_S3_REGION: 'eu-west-3',
      DISPATCH_S3_FORCE_PATH_STYLE: 'true',
      DISPATCH_S3_URL_TTL_SECONDS: '600',
      ...env,
    }),
  );
  return { config, r: new ContentResolver(config, new Metrics('annotation-dispatch'), logger) };
}

const failures = async (r: ContentResolver) => (await r.failures.get()).values.map((v) => ({ ...v.labels, n: v.value }));

describe('ContentResolver', () => {
  it('shows inline text and data: text as they are', async () => {
    const { r } = resolver();
    expect(await r.resolve('i1', 'WIN a FREE cruise, reply now', 'url')).toEqual({ kind: 'text', text: 'WIN a FREE cruise, reply now' });
    expect(await r.resolve('i2', 'data:text/plain;charset=utf-8,Gr%C3%BC%C3%9Fe', 'text')).toEqual({ kind: 'text', text: 'Grüße' });
  });

  it('fetches a custom scheme through its template, with the path in the URL', async () => {
    const { r } = resolver();
    expect(await r.resolve('i3', 'spamassassin://easy-ham-1/00001', 'url')).toEqual({ kind: 'text', text: MESSAGES['easy-ham-1/00001'] });
    expect(seen.at(-1)?.url).toBe('/messages/easy-ham-1/00001');
  });

  it('gives an http(s) URL as a URL, or fetches it when the caller needs text', async () => {
    const { r } = resolver();
    const url = `${base}/messages/spam-1/00007`;
    expect(await r.resolve('i4', url, 'url')).toEqual({ kind: 'url', url });
    expect(await r.resolve('i4', url, 'text')).toEqual({ kind: 'text', text: MESSAGES['spam-1/00007'] });
  });

  it('redacts fetched text for the annotator exactly as it redacts the URI, unless the project is exempt', async () => {
    const { config, r } = resolver({ DISPATCH_PII_REDACTION_OFF: 'open' });
    const c = await r.resolve('i5', 'spamassassin://spam-1/00007', 'url');
    const view = annotatorView(c, 'spam', config.DISPATCH_PII_REDACTION_OFF);
    expect(view).toEqual({ text: 'WIN a FREE cruise: write to [REDACTED:email] or call [REDACTED:phone]', url: '', note: '' });
    expect(annotatorView(c, 'open', config.DISPATCH_PII_REDACTION_OFF).text).toBe(MESSAGES['spam-1/00007']);
  });

  it.each([
    ['an unknown message (HTTP 404)', 'spamassassin://easy-ham-1/99999', 'http_status', 'HTTP 404'],
    ['a scheme without a resolver', 'gs://bucket/object', 'no_resolver', 'no resolver for the "gs" scheme'],
    ['a source slower than the timeout', 'slow://m/1', 'timeout', 'no answer within 1500 ms'],
    ['a body declared larger than the cap', 'big://declared', 'too_large', 'larger than 4096 bytes'],
    ['a chunked body that grows past the cap', 'big://chunked', 'too_large', 'larger than 4096 bytes'],
  ])('shows %s unresolved, with a note naming the item and scheme, a warning and a metric', async (_what, uri, reason, message) => {
    const { r } = resolver();
    const scheme = uri.slice(0, uri.indexOf(':'));
    const t0 = Date.now();
    const c = await r.resolve('item-7', uri, 'url');
    expect(Date.now() - t0).toBeLessThan(6_000);
    expect(c.kind).toBe('unresolved');
    const note = c.kind === 'unresolved' ? c.note : '';
    expect(note).toContain('item item-7');
    expect(note).toContain(`scheme "${scheme}"`);
    expect(note).toContain(message);
    expect(await failures(r)).toEqual([{ scheme, reason, n: 1 }]);
    expect(warnings.at(-1)).toMatchObject({ item: 'item-7', scheme, reason });
    // Label Studio shows the URI and why its content is missing.
    expect(displayText(annotatorView(c, 'p', []), uri)).toBe(`${uri}\n\n[LabelLoop: ${note}]`);
  });

  it('warns once per scheme that has no resolver (a config gap), and counts every item', async () => {
    const { r } = resolver();
    const before = warnings.length;
    for (const i of [1, 2, 3]) expect(await r.resolve(`gs-${i}`, `gs://bucket/o${i}`, 'url')).toMatchObject({ kind: 'unresolved' });
    expect(warnings.length - before).toBe(1);
    expect(await failures(r)).toEqual([{ scheme: 'gs', reason: 'no_resolver', n: 3 }]);
  });

  it('reports a source that refuses connections as a network failure', async () => {
    const closed = createServer();
    await new Promise<void>((res) => closed.listen(0, '127.0.0.1', res));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((res) => closed.close(() => res()));
    const { r } = resolver({ DISPATCH_CONTENT_RESOLVERS: JSON.stringify({ gone: `http://127.0.0.1:${port}/{path}` }) });
    expect(await r.resolve('item-8', 'gone://x', 'url')).toMatchObject({ kind: 'unresolved' });
    expect(await failures(r)).toEqual([{ scheme: 'gone', reason: 'network', n: 1 }]);
  });

  describe('s3://', () => {
    const saved = { ...process.env };
    beforeAll(() => Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }));
    afterAll(() => {
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    });

    it('presigns a GET for the object: SigV4 query parameters with the configured region, key and lifetime', async () => {
      const { r } = resolver();
      const c = await r.resolve('i9', 's3://media/emails/a b.txt', 'url');
      expect(c.kind).toBe('url');
      const u = new URL(c.kind === 'url' ? c.url : '');
      expect(`${u.protocol}//${u.host}${u.pathname}`).toBe(`${base}/media/emails/a%20b.txt`);
      const q = u.searchParams;
      expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      expect(q.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-3\/s3\/aws4_request$/);
      expect(q.get('X-Amz-Expires')).toBe('600');
      expect(q.get('X-Amz-Date')).toMatch(/^\d{8}T\d{6}Z$/);
      expect(q.get('X-Amz-SignedHeaders')).toBe('host');
      expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    });

    it('fetches the object through the presigned URL when the caller needs text', async () => {
      const { r } = resolver();
      expect(await r.resolve('i10', 's3://media/emails/a b.txt', 'text')).toEqual({ kind: 'text', text: 'an e-mail kept in S3' });
    });

    it('gives the plain object URL when presigning is off', async () => {
      expect(await resolver({ DISPATCH_S3_PRESIGN: 'false' }).r.resolve('i11', 's3://media/emails/a b.txt', 'url')).toEqual({
        kind: 'url',
        url: `${base}/media/emails/a%20b.txt`,
      });
      const aws = resolver({ DISPATCH_S3_PRESIGN: 'false', DISPATCH_S3_ENDPOINT: '', DISPATCH_S3_FORCE_PATH_STYLE: 'false' });
      expect(await aws.r.resolve('i12', 's3://media/k/x.txt', 'url')).toEqual({ kind: 'url', url: 'https://media.s3.eu-west-3.amazonaws.com/k/x.txt' });
    });
  });
});
