/**
 * retrain-trigger as a process on the real broker and database: one run per dataset version
 * however often DatasetApproved is delivered, a failing webhook retried and then reported,
 * a stuck run timed out, and promotion/rejection following the rules on constructed metrics.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromBinary } from '@bufbuild/protobuf';
import {
  DatasetApprovedSchema,
  ModelEvaluatedSchema,
  ModelPromotedSchema,
  PromotionRejectedSchema,
  RetrainRequestedSchema,
  RetrainService,
  Topics,
} from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { createTestDatabase, eventRecord, eventually, readTopic, ServiceProcess, startService, testKafka, testProducer } from '@labelloop/testing';

describe('retrain-trigger service', () => {
  const run = randomUUID().slice(0, 8);
  const m = (s: string) => `${s}-${run}`;
  const kafka = testKafka();
  const token = `svc-${run}`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let svc: ServiceProcess;
  let server: http.Server;
  const calls: { modelId: string; runId: string }[] = [];

  beforeAll(async () => {
    // The "training platform": model flaky-* fails twice then accepts; broken-* always fails.
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const b = JSON.parse(body) as { modelId: string; runId: string };
        calls.push(b);
        const n = calls.filter((c) => c.modelId === b.modelId).length;
        const fail = b.modelId.startsWith('broken') || (b.modelId.startsWith('flaky') && n <= 2);
        res.writeHead(fail ? 503 : 202).end(JSON.stringify({ id: `job-${n}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    db = await createTestDatabase('retrain');
    svc = startService('retrain-trigger', {
      DATABASE_URL: db.url,
      KAFKA_GROUP_ID: `retrain-${run}`,
      AUTH_TOKENS: JSON.stringify([{ token, subject: 'ci', roles: ['service', 'admin'], projects: ['*'] }]),
      RETRAIN_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/train`,
      RETRAIN_MAX_ATTEMPTS: '3',
      RETRAIN_POLL_MS: '100',
    });
    await svc.ready;
  });
  afterAll(async () => {
    await svc?.kill('SIGTERM');
    await new Promise((r) => server.close(r));
    await db?.drop();
  });

  const approved = (model: string, version: string, id = randomUUID()) =>
    eventRecord(
      DatasetApprovedSchema,
      { datasetId: `ds-${model}`, versionId: version, modelId: model, newItems: 10n, itemCount: 10n, exportUri: 'file:///tmp/x' },
      { id, key: `ds-${model}` },
    );

  it('launches one run per dataset version, retries a failing webhook, reports failures and timeouts', async () => {
    const client = createGrpcClient(RetrainService, `127.0.0.1:${(await svc.ready).grpcPort}`, { token });
    await client.upsertRetrainPolicy({ policy: { modelId: m('slow'), runTimeoutSeconds: 2 } });
    await expect(client.upsertRetrainPolicy({ policy: { modelId: m('slow'), classFloors: { spam: 7 } } })).rejects.toMatchObject({
      details: 'policy.class_floors.spam: must be in [0, 1], got 7',
    });

    const producer = await testProducer(kafka);
    const first = approved(m('flaky'), 'v-1');
    // The same event redelivered, and the same version announced again under a new id.
    await producer.send({
      topic: Topics.datasetApproved,
      messages: [first, first, approved(m('flaky'), 'v-1'), approved(m('broken'), 'v-1'), approved(m('slow'), 'v-1')],
    });
    await producer.disconnect();

    const runs = async (model: string) => (await client.listRuns({ modelId: model })).runs;
    const flaky = await eventually(async () => (await runs(m('flaky'))).find((r) => r.state === 'running'), 'flaky run running', 60_000, 300);
    expect(await runs(m('flaky'))).toHaveLength(1);
    expect(flaky.attempts).toBe(3); // two 503s, then accepted
    expect(calls.filter((c) => c.modelId === m('flaky')).map((c) => c.runId)).toEqual([flaky.runId, flaky.runId, flaky.runId]);

    const broken = await eventually(async () => (await runs(m('broken'))).find((r) => r.state === 'failed'), 'broken run failed', 60_000, 300);
    expect(broken).toMatchObject({ attempts: 3, lastError: 'webhook answered HTTP 503' });

    const slow = await eventually(async () => (await runs(m('slow'))).find((r) => r.state === 'timed_out'), 'slow run timed out', 60_000, 300);
    expect(slow.lastError).toBe('no final status within 2 s');

    const requested = (await readTopic(kafka, Topics.retrainRequested, 100_000, 4_000))
      .map((x) => fromBinary(RetrainRequestedSchema, x.value!))
      .filter((r) => r.modelId === m('flaky'));
    expect(requested).toHaveLength(1);
    client.close();
  });

  it('promotes only candidates that beat the champion by the margin, and keeps every decision', async () => {
    const model = m('promo');
    const client = createGrpcClient(RetrainService, `127.0.0.1:${(await svc.ready).grpcPort}`, { token });
    await client.upsertRetrainPolicy({
      policy: { modelId: model, primaryMetric: 'accuracy', minImprovement: 0.01, guards: [{ metric: 'f1', maxRegression: 0.02 }], classFloors: { spam: 0.7 } },
    });
    const evaluated = (version: string, accuracy: number, f1: number, spam: number) =>
      eventRecord(
        ModelEvaluatedSchema,
        {
          modelId: model,
          candidateVersion: version,
          datasetVersionId: `dv-${version}`,
          metrics: { accuracy, f1 },
          slices: { spam: { metrics: { accuracy: spam } } },
        },
        { key: model },
      );
    const producer = await testProducer(kafka);
    await producer.send({
      topic: Topics.modelEvaluated,
      messages: [evaluated('v1', 0.8, 0.8, 0.75), evaluated('v2', 0.805, 0.8, 0.8), evaluated('v3', 0.9, 0.7, 0.8), evaluated('v4', 0.85, 0.81, 0.78)],
    });
    await producer.disconnect();
    const decisions = await eventually(
      async () => {
        const d = (await client.listPromotionDecisions({ modelId: model })).decisions;
        return d.length === 4 ? d : undefined;
      },
      'four decisions',
      60_000,
      300,
    );
    expect(decisions.map((d) => [d.candidateVersion, d.promoted])).toEqual([
      ['v1', true],
      ['v2', false],
      ['v3', false],
      ['v4', true],
    ]);
    expect(decisions[1].reasons[0]).toBe('accuracy: 0.8050 vs champion 0.8000 (gain 0.0050, required 0.0100)');
    expect(decisions[2].reasons[0]).toBe('guard f1: 0.7000 vs champion 0.8000 (drop 0.1000, allowed 0.0200)');
    expect(decisions[3].championVersion).toBe('v1');

    const promoted = (await readTopic(kafka, Topics.modelPromoted, 100_000, 4_000))
      .map((x) => fromBinary(ModelPromotedSchema, x.value!))
      .filter((p) => p.modelId === model);
    expect(promoted.map((p) => [p.modelVersion, p.previousVersion])).toEqual([
      ['v1', ''],
      ['v4', 'v1'],
    ]);
    const rejected = (await readTopic(kafka, Topics.promotionRejected, 100_000, 4_000))
      .map((x) => fromBinary(PromotionRejectedSchema, x.value!))
      .filter((p) => p.modelId === model);
    expect(rejected.map((r) => r.candidateVersion)).toEqual(['v2', 'v3']);
    client.close();
  });
});
