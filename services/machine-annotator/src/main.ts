/**
 * machine-annotator: labeling functions, model endpoints and LLMs answering annotation tasks
 * through annotation-dispatch's public AnnotatorService, each with its own token and identity,
 * like any person's annotation tool (see README.md). Serves /metrics and /healthz on HTTP_PORT.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AnnotatorService } from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadMachineConfig } from './machine.config';
import { MachineMetrics } from './machine.metrics';
import { MachineWorker } from './machine.worker';

const SERVICE = 'machine-annotator';
const log = (entry: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), level: 'info', service: SERVICE, ...entry })}\n`);

async function main(): Promise<void> {
  const config = loadMachineConfig();
  const registry = new Registry();
  registry.setDefaultLabels({ service: SERVICE });
  collectDefaultMetrics({ register: registry, prefix: 'labelloop_' });
  const metrics = new MachineMetrics(registry);

  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      void registry.metrics().then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body));
    } else if (req.url === '/healthz' || req.url === '/readyz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(config.httpPort, resolve));

  let running = true;
  const clients = config.machines.map((m) => createGrpcClient(AnnotatorService, config.dispatchAddress, { token: m.token }));
  const loops = config.machines.map(async (m, i) => {
    const worker = new MachineWorker(m, clients[i], metrics, log);
    while (running) {
      try {
        if ((await worker.step()) === undefined) await sleep(config.idleMs);
      } catch (e) {
        // Dispatch unreachable, the machine paused by QA, a lease lost: say so and try again later.
        log({ level: 'warn', msg: 'machine step failed', project: m.projectId, annotator: m.annotator, error: (e as Error).message });
        await sleep(config.idleMs);
      }
    }
  });
  log({
    msg: 'service started',
    httpPort: (server.address() as AddressInfo).port,
    grpcPort: 0,
    machines: config.machines.map((m) => `${m.projectId}/${m.annotator}`),
  });

  const stop = async () => {
    // Finish the task in hand (its answer or release), then close.
    running = false;
    await Promise.all(loops);
    clients.forEach((c) => c.close());
    server.close();
    log({ msg: 'service stopped' });
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((e: Error) => {
  process.stderr.write(`${SERVICE}: ${e.message}\n`);
  process.exit(1);
});
