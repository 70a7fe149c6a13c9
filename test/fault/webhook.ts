import { signWebhookBody } from '@labelloop/contracts';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One launch the stand-in training job received. */
export interface Launch {
  runId: string;
  modelId: string;
  datasetVersionId: string;
  idempotencyKey: string;
  signatureValid: boolean;
}

/**
 * The stand-in training job behind RETRAIN_WEBHOOK_URL, on loopback. It starts one job per
 * Idempotency-Key (as a real CI system would): a repeated call with the same key — the
 * launcher retrying after a crash between the call and its commit — gets the same job back.
 */
export async function startTrainingWebhook(secret: string): Promise<{ url: string; calls: Launch[]; jobs: Map<string, string>; close(): Promise<void> }> {
  const calls: Launch[] = [];
  const jobs = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: { runId?: string; modelId?: string; datasetVersionId?: string };
      try {
        body = JSON.parse(raw);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const ts = String(req.headers['x-labelloop-timestamp']);
      const expected = signWebhookBody(secret, ts, raw);
      const key = String(req.headers['idempotency-key'] ?? '');
      calls.push({
        runId: body.runId ?? '',
        modelId: body.modelId ?? '',
        datasetVersionId: body.datasetVersionId ?? '',
        idempotencyKey: key,
        signatureValid: req.headers['x-labelloop-signature'] === expected,
      });
      let job = jobs.get(key);
      if (!job) {
        job = `job-${jobs.size + 1}`;
        jobs.set(key, job);
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: job }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/train`,
    calls,
    jobs,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
