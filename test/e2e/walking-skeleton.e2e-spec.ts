/**
 * The walking skeleton: one low-confidence prediction travels the whole loop through all seven
 * services, each its own Node process, on the real Kafka broker and real PostgreSQL:
 *
 *   prediction (IngestService.Ingest on ingest-gateway) → sampling → AnnotationRequested →
 *   annotation-dispatch task → (test submits a label over gRPC) → qa LabelAccepted → dataset-registry version + DatasetApproved →
 *   retrain-trigger RetrainRequested + signed webhook call (a real HTTP server here).
 *
 * drift-detection consumes the same predictions and raises DriftDetected on a shift, and one
 * trace id links the spans of all seven services.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AnnotatorService,
  DatasetApprovedSchema,
  DatasetRegistryService,
  DriftDetectedSchema,
  IngestService,
  PredictionEventSchema,
  RetrainRequestedSchema,
  Topics,
} from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import {
  createTestDatabase,
  awaitEvent,
  eventRecord,
  eventually,
  readTopic,
  SERVICES,
  ServiceProcess,
  startOtlpReceiver,
  startGroupsAt,
  startService,
  testKafka,
  testProducer,
} from '@labelloop/testing';
import { SUBSCRIPTIONS } from '../fault/offsets';

describe('walking skeleton: one item through all seven services', () => {
  const run = randomUUID().slice(0, 8);
  const project = `e2e-${run}`;
  const modelId = `spam-filter-${run}`;
  const driftModel = `drift-model-${run}`;
  const secret = randomBytes(16).toString('hex');
  const kafka = testKafka();
  const services: Record<string, ServiceProcess> = {};
  const webhookCalls: { body: Record<string, string>; signatureValid: boolean; idempotencyKey?: string }[] = [];
  let webhook: http.Server;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  const tokens = [
    { token: `annotator-${run}`, subject: 'alice', roles: ['annotator'], projects: [project] },
    { token: `service-${run}`, subject: 'e2e', roles: ['service'], projects: ['*'] },
  ];

  beforeAll(async () => {
    webhook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const ts = String(req.headers['x-labelloop-timestamp']);
        const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex')}`;
        webhookCalls.push({
          body: JSON.parse(raw),
          signatureValid: req.headers['x-labelloop-signature'] === expected,
          idempotencyKey: req.headers['idempotency-key'] as string,
        });
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `job-${webhookCalls.length}` }));
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    otlp = await startOtlpReceiver();
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      AUTH_TOKENS: JSON.stringify(tokens),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      DRIFT_REFERENCE_SIZE: '100',
      DRIFT_WINDOW_SIZE: '100',
      SAMPLING_AUDIT_RATE: '0',
      REGISTRY_CUT_EVERY: '1',
      RETRAIN_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/train`,
      RETRAIN_WEBHOOK_SECRET: secret,
      RETRAIN_POLL_MS: '100',
      REGISTRY_EXPORT_DIR: `/tmp/labelloop-e2e-${run}`,
    };
    // Start every group at the topics' end: on a broker shared with earlier runs and benchmarks
    // the history before this test is not its business (and reading it took longer than the test).
    await startGroupsAt(
      kafka,
      SERVICES.map((name) => ({ groupId: `e2e-${run}-${name}`, topics: SUBSCRIPTIONS[name] ?? [] })),
    );
    for (const name of SERVICES) services[name] = startService(name, { ...env, KAFKA_GROUP_ID: `e2e-${run}-${name}` });
    await Promise.all(Object.values(services).map((s) => s.ready));
  });

  afterAll(async () => {
    await Promise.all(Object.values(services).map((s) => s.kill('SIGTERM')));
    await new Promise((r) => webhook?.close(r));
    await otlp?.close();
    await db?.drop();
  });

  it('takes a low-confidence prediction to a retrain request, in one trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const eventId = randomUUID();
    // The inference service has no Kafka client: it calls the ingest gateway, continuing its trace.
    const ingest = createGrpcClient(IngestService, `127.0.0.1:${(await services['ingest-gateway'].ready).grpcPort}`, { token: `service-${run}` });
    await ingest.ingest(
      {
        predictions: [
          {
            eventId,
            modelId,
            modelVersion: '1',
            timestamp: timestampFromDate(new Date()),
            inputUri: `corpus://spam/${run}/0001`,
            contentHash: `sha256:${run}-0001`,
            predictedLabel: 'ham',
            classProbabilities: { ham: 0.55, spam: 0.45 },
            confidence: 0.55,
            numericFeatures: { length: 412, links: 3 },
            categoricalFeatures: { lang: 'en' },
            embedding: [0.25, -0.5, 0.75],
            metadata: { project_id: project },
          },
        ],
      },
      { metadata: { traceparent } },
    );
    ingest.close();

    // An annotator works through the dispatch API.
    const dispatch = await services['annotation-dispatch'].ready;
    const annotator = createGrpcClient(AnnotatorService, `127.0.0.1:${dispatch.grpcPort}`, { token: `annotator-${run}` });
    const task = await eventually(async () => (await annotator.getNextTask({ projectId: project })).task, 'a task in the annotator queue');
    expect(task.preLabel).toBe('ham'); // model-in-the-loop pre-label
    expect(task.inputUri).toBe(`corpus://spam/${run}/0001`);
    const submitted = await annotator.submitAnnotation({
      taskId: task.taskId,
      label: { value: { case: 'classification', value: { classes: ['spam'] } } },
      timeSpentMs: 4200,
      idempotencyKey: 'first-try',
    });
    // A client retry after a lost response returns the same submission, not a second one.
    const retried = await annotator.submitAnnotation({
      taskId: task.taskId,
      label: { value: { case: 'classification', value: { classes: ['spam'] } } },
      timeSpentMs: 4200,
      idempotencyKey: 'first-try',
    });
    expect(retried).toMatchObject({ submissionId: submitted.submissionId, duplicate: true });
    annotator.close();

    // QA accepts, the registry versions it and announces it, the retrain trigger launches.
    const approved = await awaitEvent(
      kafka,
      Topics.datasetApproved,
      DatasetApprovedSchema,
      (d) => d.datasetId === project,
      'DatasetApproved for the e2e project',
      120_000,
    );
    expect(approved.itemCount).toBe(1n);
    expect(approved.modelId).toBe(modelId);
    expect(approved.counts.map((c) => c.label)).toEqual(['spam']);
    expect(approved.versionId).toMatch(/^[0-9a-f]{64}$/);
    // The labeled item kept the model inputs it was predicted on (sampling → dispatch → QA → registry).
    const registry = createGrpcClient(DatasetRegistryService, `127.0.0.1:${(await services['dataset-registry'].ready).grpcPort}`, { token: `service-${run}` });
    const listed = await registry.listItems({ datasetId: project, versionId: approved.versionId });
    registry.close();
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ label: 'spam', inputUri: `corpus://spam/${run}/0001`, modelVersion: '1' });
    expect(listed.items[0].features).toMatchObject({ numeric: { length: 412, links: 3 }, categorical: { lang: 'en' }, embedding: [0.25, -0.5, 0.75] });

    const call = await eventually(async () => webhookCalls.find((c) => c.body.datasetVersionId === approved.versionId), 'signed webhook call', 60_000);
    expect(call.signatureValid).toBe(true);
    expect(call.body.modelId).toBe(modelId);
    expect(call.idempotencyKey).toBe(call.body.runId);

    const requested = (await readTopic(kafka, Topics.retrainRequested, 1_000, 3_000))
      .map((m) => fromBinary(RetrainRequestedSchema, m.value!))
      .filter((r) => r.datasetVersionId === approved.versionId);
    expect(requested).toHaveLength(1);

    // One trace links all seven services (drift-detection consumed the same prediction).
    const traced = await eventually(
      async () => {
        const names = new Set(otlp.spans.filter((s) => s.traceId === traceId).map((s) => s.service));
        return names.size >= SERVICES.length ? names : undefined;
      },
      'spans of all seven services in one trace',
      30_000,
    );
    expect([...traced].sort()).toEqual(SERVICES.map((s) => `labelloop-${s}`).sort());
  });

  it('raises DriftDetected when the prediction distribution shifts', async () => {
    const producer = await testProducer(kafka);
    const frac = (i: number) => Math.abs((Math.sin(i * 12.9898) * 43758.5453) % 1);
    const pred = (i: number, confidence: number, label: string) =>
      eventRecord(
        PredictionEventSchema,
        {
          eventId: `${run}-d${i}`,
          modelId: driftModel,
          modelVersion: '1',
          contentHash: `sha256:${run}-d${i}`,
          predictedLabel: label,
          confidence,
          timestamp: timestampFromDate(new Date()),
        },
        { key: driftModel },
      );
    // Reference: confident and mostly ham. Then: less confident (still above the sampling threshold) and mostly spam.
    const before = Array.from({ length: 100 }, (_, i) => pred(i, 0.9 + 0.1 * frac(i), i % 5 === 0 ? 'spam' : 'ham'));
    const after = Array.from({ length: 100 }, (_, i) => pred(100 + i, 0.6 + 0.1 * frac(i + 100), i % 5 === 0 ? 'ham' : 'spam'));
    await producer.send({ topic: Topics.predictionRecorded, messages: [...before, ...after] });
    await producer.disconnect();

    const alert = await awaitEvent(
      kafka,
      Topics.driftDetected,
      DriftDetectedSchema,
      (d) => d.modelId === driftModel,
      'DriftDetected for the shifted model',
      60_000,
    );
    expect(
      alert.features
        .filter((f) => f.drifted)
        .map((f) => f.feature)
        .sort(),
    ).toEqual(['confidence', 'predicted_label']);
    expect(alert.representativeEventIds.length).toBeGreaterThan(0);
    expect(alert.representativeEventIds.every((id) => Number(id.split('-d')[1]) >= 100)).toBe(true);
  });
});
