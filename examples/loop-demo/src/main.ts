/**
 * The LabelLoop demo: real Kafka and PostgreSQL (started locally unless KAFKA_BROKERS /
 * DATABASE_URL point elsewhere), the six services as separate processes, a synthetic
 * inference service streaming predictions that drift halfway, simulated annotators working
 * through the annotator API, and a stand-in training job behind the retrain webhook.
 * It prints one status line per second and exits 0 once the loop has closed.
 *
 *   node examples/loop-demo/dist/main.js [--events 2000] [--timeout 240]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { allTopics } from '@labelloop/contracts';
import { createTestDatabase, ensureLocalInfra, ensureTopics, SERVICES, ServiceProcess, startService, testKafka, testProducer } from '@labelloop/testing';
import { predictionStream } from './traffic';
import { runWorkforce } from './workforce';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

async function main(): Promise<void> {
  const total = arg('events', 2000);
  const timeoutS = arg('timeout', 240);
  const run = randomUUID().slice(0, 8);
  const project = `demo-${run}`;
  const modelId = `spam-filter-${run}`;
  const external = Boolean(process.env.KAFKA_BROKERS);

  const log = (msg: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${msg}\n`);
  log('starting Kafka and PostgreSQL (deploy/local/up.sh)…');
  const { brokers } = ensureLocalInfra();
  const kafka = testKafka('loop-demo');
  if (!external) {
    // A local broker is ours: start from empty topics so the run is not replaying old demos.
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const ours = allTopics().map((t) => t.topic).filter((t) => existing.has(t));
    if (ours.length) await admin.deleteTopics({ topics: ours });
    await admin.disconnect();
    await new Promise((r) => setTimeout(r, 1000));
  }
  await ensureTopics(brokers.split(','));
  const db = await createTestDatabase('demo');

  // The "training job": a webhook that accepts launches, as a CI system or Kubeflow would.
  const launches: { runId: string; datasetVersionId: string }[] = [];
  const webhook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const b = JSON.parse(body) as { runId: string; datasetVersionId: string };
      launches.push(b);
      log(`training job launched: run ${b.runId} on dataset version ${b.datasetVersionId.slice(0, 12)}…`);
      res.writeHead(202).end(JSON.stringify({ id: `job-${launches.length}` }));
    });
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));

  const annotators = [
    { name: 'ada', token: randomBytes(8).toString('hex'), accuracy: 0.95, secondsPerTask: 8 },
    { name: 'grace', token: randomBytes(8).toString('hex'), accuracy: 0.9, secondsPerTask: 12 },
    { name: 'linus', token: randomBytes(8).toString('hex'), accuracy: 0.55, secondsPerTask: 3 },
  ];
  const env = {
    DATABASE_URL: db.url,
    AUTH_TOKENS: JSON.stringify(annotators.map((a) => ({ token: a.token, subject: a.name, roles: ['annotator'], projects: [project] }))),
    DRIFT_REFERENCE_SIZE: '300',
    DRIFT_WINDOW_SIZE: '300',
    SAMPLING_CONFIDENCE_THRESHOLD: '0.6',
    SAMPLING_AUDIT_RATE: '0.01',
    DISPATCH_OVERLAP: '3',
    DISPATCH_LABEL_CLASSES: 'ham,spam',
    REGISTRY_CUT_EVERY: '50',
    REGISTRY_EXPORT_DIR: `${process.cwd()}/reports/demo/${run}/exports`,
    RETRAIN_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/launch`,
    RETRAIN_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    LOG_LEVEL: 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
  log('starting the six services…');
  const services: ServiceProcess[] = SERVICES.map((name) => startService(name, { ...env, KAFKA_GROUP_ID: `demo-${run}-${name}` }));
  await Promise.all(services.map((s) => s.ready));
  const dispatchPort = (await services.find((s) => s.name === 'annotation-dispatch')!.ready).grpcPort;

  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const stop = { done: false };
  let submitted = 0;
  const truth = new Map<string, 'ham' | 'spam'>();
  const workforce = runWorkforce(`127.0.0.1:${dispatchPort}`, project, annotators, (uri) => truth.get(uri), stop, () => submitted++);

  const producer = await testProducer(kafka);
  let sent = 0;
  const sender = (async () => {
    const batch: ReturnType<typeof predictionStream> extends Generator<infer T> ? T[] : never = [];
    for (const p of predictionStream({ run, modelId, project, total, driftAt: Math.floor(total / 2), seed: 7 })) {
      truth.set(`demo://mail/${run}/${p.itemId.split('-').pop()}`, p.truth);
      batch.push(p);
      if (batch.length === 100) {
        await producer.send({ topic: 'labelloop.prediction.recorded.v1', messages: batch.map((b) => b.record) });
        sent += batch.length;
        batch.length = 0;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (batch.length) await producer.send({ topic: 'labelloop.prediction.recorded.v1', messages: batch.map((b) => b.record) });
    sent = total;
  })();

  const q = async (sql: string) => Number((await pg.query(sql).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
  const deadline = Date.now() + timeoutS * 1000;
  let closed = false;
  let last = '';
  while (Date.now() < deadline) {
    const s = {
      events: sent,
      drift: await q(`SELECT count(*) AS n FROM drift_detection.drift_alert`),
      requests: await q(`SELECT count(*) AS n FROM sampling.sampling_decision`),
      openTasks: await q(`SELECT count(*) AS n FROM annotation_dispatch.annotation_task WHERE state IN ('pending','leased')`),
      accepted: await q(`SELECT count(*) AS n FROM qa.qa_item WHERE state = 'accepted'`),
      versions: await q(`SELECT count(*) AS n FROM dataset_registry.dataset_version`),
      retrains: await q(`SELECT count(*) AS n FROM retrain_trigger.retrain_run WHERE state = 'running'`),
    };
    const line = `events ${s.events}/${total} | drift alerts ${s.drift} | requests ${s.requests} | open tasks ${s.openTasks} | answers ${submitted} | accepted ${s.accepted} | dataset versions ${s.versions} | retrains launched ${s.retrains}`;
    if (line !== last) log(line);
    last = line;
    if (sent === total && s.drift > 0 && s.retrains > 0 && s.versions > 0 && s.openTasks === 0) {
      closed = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  stop.done = true;
  await sender;
  await workforce.catch(() => undefined);
  await producer.disconnect();
  await pg.end();
  log('stopping services…');
  await Promise.all(services.map((s) => s.kill('SIGTERM')));
  webhook.close();
  if (!closed) {
    log(`the loop did not close within ${timeoutS}s`);
    process.exit(1);
  }
  log(`loop closed: drift detected, ${launches.length} training run(s) launched from approved dataset versions. Exports: reports/demo/${run}/exports`);
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
