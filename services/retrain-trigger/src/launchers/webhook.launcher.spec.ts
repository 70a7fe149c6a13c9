/**
 * The webhook launcher against a real local HTTP server that verifies the HMAC-SHA256 signature
 * independently (node:crypto over `timestamp.body`, compared in constant time) and refuses
 * anything unsigned or tampered with.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookLauncher } from './webhook.launcher';

describe('WebhookLauncher', () => {
  const secret = 's3cret';
  let server: http.Server;
  let url = '';
  const accepted: { key: string; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const ts = String(req.headers['x-labelloop-timestamp'] ?? '');
        const sig = Buffer.from(String(req.headers['x-labelloop-signature'] ?? ''));
        const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`);
        const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
        if (!fresh || sig.length !== expected.length || !timingSafeEqual(sig, expected)) return void res.writeHead(401).end();
        accepted.push({ key: String(req.headers['idempotency-key']), body: JSON.parse(body) });
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"job-17"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/train`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const req = { runId: 'run-7', modelId: 'spam', datasetId: 'ds', datasetVersionId: 'dv-3', exportUri: 'file:///x', timeoutSeconds: 60 };

  it('signs the body so the receiver accepts it, with the run id as idempotency key', async () => {
    expect(await new WebhookLauncher(url, secret, 2000).launch(req)).toEqual({ ok: true, externalId: 'job-17' });
    expect(accepted).toEqual([{ key: 'run-7', body: req }]);
  });

  it('is refused (final, not retried) with a wrong secret or none', async () => {
    expect(await new WebhookLauncher(url, 'other', 2000).launch(req)).toEqual({ ok: false, retriable: false, error: 'webhook answered HTTP 401' });
    expect(await new WebhookLauncher(url, undefined, 2000).launch(req)).toMatchObject({ ok: false, retriable: false });
    expect(accepted).toHaveLength(1);
  });

  it('reports an unreachable endpoint as retriable', async () => {
    const r = await new WebhookLauncher('http://127.0.0.1:1/train', secret, 2000).launch(req);
    expect(r).toMatchObject({ ok: false, retriable: true });
  });
});
