/**
 * drift-detection as a process on the real broker and database: per-model config over gRPC
 * (validated, persisted), window state that survives a SIGKILL, DriftDetected on a shift,
 * and bad events (missing model id, NaN feature, wrong embedding length) dead-lettered with a
 * reason while the stream keeps flowing.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { fromBinary } from '@bufbuild/protobuf';
import { DriftDetectedSchema, DriftService, PredictionEventSchema, Topics, WindowKind } from '@labelloop/contracts';
import type { Client } from 'pg';
import { createGrpcClient } from '@labelloop/rpc';
import { awaitEvent, E2eRig, eventRecord, eventually, readTopic, ServiceProcess } from '@labelloop/testing';

describe('drift-detection service', () => {
  const run = randomUUID().slice(0, 8);
  const model = `drift-svc-${run}`;
  const rig = new E2eRig();
  const kafka = rig.kafka;
  let svc: ServiceProcess;
  let env: Record<string, string>;
  let pg: Client;
  const token = `admin-${run}`;

  beforeAll(async () => {
    const db = await rig.database('drift');
    env = {
      DATABASE_URL: db.url,
      KAFKA_GROUP_ID: `drift-${run}`,
      AUTH_TOKENS: JSON.stringify([{ token, subject: 'ops', roles: ['admin'], projects: ['*'] }]),
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      CONSUMER_TX_BATCH: '20',
    };
    // Start at the topics' end: what earlier runs (and benchmarks) left there is not this test's.
    await rig.startAtEnd({ [env.KAFKA_GROUP_ID]: [Topics.predictionRecorded, Topics.modelPromoted] });
    svc = rig.service('drift-detection', env);
    await svc.ready;
    pg = await rig.pg(db.url);
  });
  afterAll(() => rig.close());

  const frac = (i: number) => Math.abs((Math.sin(i * 12.9898) * 43758.5453) % 1);
  const pred = (i: number, shifted: boolean, extra: Record<string, unknown> = {}) =>
    eventRecord(
      PredictionEventSchema,
      {
        eventId: `${run}-${i}`,
        modelId: model,
        modelVersion: '1',
        contentHash: `sha256:${run}-${i}`,
        predictedLabel: frac(i + 7) < 0.3 ? 'spam' : 'ham',
        confidence: 0.6 + 0.4 * frac(i + 3),
        numericFeatures: { length: (shifted ? 3 : 0) + 10 * frac(i) },
        embedding: [frac(i + 1), frac(i + 2), frac(i + 5), frac(i + 9)],
        ...extra,
      } as never,
      { key: model },
    );

  it('configures per model, keeps window state across a crash, alerts on a shift, dead-letters bad events', async () => {
    const client = () => createGrpcClient(DriftService, `127.0.0.1:${svcPort}`, { token });
    let svcPort = (await svc.ready).grpcPort;
    const c1 = client();
    await expect(c1.upsertDriftConfig({ config: { modelId: model, windowSize: 5 } })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^config\.window_size: must be in/),
    });
    const stored = await c1.upsertDriftConfig({ config: { modelId: model, referenceSize: 100, windowSize: 100, windowKind: WindowKind.COUNT, alpha: 0.01 } });
    expect(stored.config).toMatchObject({ referenceSize: 100, windowSize: 100, windowSlide: 100 });
    c1.close();

    const producer = await rig.producer();
    const bad = [
      pred(9000, false, { modelId: '' }),
      pred(9001, false, { numericFeatures: { length: Number.NaN } }),
      pred(9002, false, { embedding: [1, 2, 3] }),
    ];
    // Reference (100), then half a window of shifted events with the bad ones in between.
    await producer.send({ topic: Topics.predictionRecorded, messages: Array.from({ length: 100 }, (_, i) => pred(i, false)) });
    await producer.send({ topic: Topics.predictionRecorded, messages: [...bad, ...Array.from({ length: 50 }, (_, i) => pred(100 + i, true))] });
    await eventually(
      async () => {
        const [row] = (await pg.query(`SELECT window_state FROM drift_detection.drift_model_state WHERE model_id = $1`, [model])).rows;
        return row && row.window_state.window.length === 50;
      },
      'window with 50 events persisted',
      60_000,
      300,
    );

    // Crash: the window state must come back from PostgreSQL.
    await svc.kill('SIGKILL');
    svc = rig.service('drift-detection', env);
    svcPort = (await svc.ready).grpcPort;
    await producer.send({ topic: Topics.predictionRecorded, messages: Array.from({ length: 50 }, (_, i) => pred(150 + i, true)) });
    await producer.disconnect();

    const alert = await awaitEvent(kafka, Topics.driftDetected, DriftDetectedSchema, (a) => a.modelId === model, 'DriftDetected', 60_000);
    expect(alert.features.find((f) => f.feature === 'num.length')).toMatchObject({ method: 'ks', drifted: true });
    const c2 = client();
    const statusAfter = await c2.getDriftStatus({ modelId: model });
    expect(statusAfter.drifting).toBe(true);
    expect(statusAfter.config?.windowSize).toBe(100); // config survived the crash too
    c2.close();

    // This run's events only: the new group also read earlier runs' bad events on a reused broker.
    const dlq = (await readTopic(kafka, `${Topics.predictionRecorded}.dlq`, 100_000, 5_000)).filter(
      (m) => m.headers['dlq-consumer-group'] === `drift-${run}` && fromBinary(PredictionEventSchema, m.value!).eventId.startsWith(`${run}-`),
    );
    // The DLQ record is written once (through the outbox); a SIGKILL between the relay's send and
    // its bookkeeping may put a second, identical copy on the wire (same ce_id, same failed-at).
    const byId = new Map<string, (typeof dlq)[number][]>();
    for (const m of dlq) byId.set(m.headers.ce_id, [...(byId.get(m.headers.ce_id) ?? []), m]);
    for (const copies of byId.values()) expect(new Set(copies.map((c) => `${c.headers['dlq-failed-at']}|${c.headers['dlq-reason']}`)).size).toBe(1);
    expect([...byId.values()].map((copies) => copies[0].headers['dlq-reason']).sort()).toEqual([
      expect.stringMatching(/embedding has length 3, model .* expects 4/),
      'invalid: model_id is required',
      'invalid: numeric_features.length is not finite',
    ]);
  });
});
