/**
 * sampling as a process on the real broker and database: each trigger produces a request
 * with the right metadata, and neither a redelivered input nor the same content under a new
 * event id produces a second request. An edge-case spike (the low-confidence rate jumping
 * well above the model's own baseline) is told apart from the baseline's low-confidence items.
 */
import { createHash, randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AnnotationRequestedSchema,
  DriftDetectedSchema,
  GroundTruth_Source,
  PredictionEventSchema,
  SamplingService,
  Topics,
  Trigger,
} from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { createTestDatabase, eventRecord, eventually, readTopic, ServiceProcess, startService, testKafka, testProducer } from '@labelloop/testing';

describe('sampling triggers', () => {
  // The 5% random audit is drawn from the sha256 of the event id and takes precedence over
  // other triggers: pick a run id none of whose trigger events (1000-1004) is drawn for it,
  // or an unlucky id (about one run in four) would see RANDOM_AUDIT where a trigger is expected.
  const drawn = (id: string) => createHash('sha256').update(id).digest().readUInt32BE(0) / 2 ** 32 < 0.05;
  let run = randomUUID().slice(0, 8);
  while ([1000, 1001, 1002, 1003, 1004].some((i) => drawn(`${run}-${i}`))) run = randomUUID().slice(0, 8);
  const model = `sampler-${run}`;
  const kafka = testKafka();
  const token = `admin-${run}`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let svc: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase('sampling');
    svc = startService('sampling', {
      DATABASE_URL: db.url,
      KAFKA_GROUP_ID: `sampling-${run}`,
      AUTH_TOKENS: JSON.stringify([{ token, subject: 'ops', roles: ['admin', 'service'], projects: ['*'] }]),
      CONSUMER_TX_BATCH: '50',
    });
    await svc.ready;
  });
  afterAll(async () => {
    await svc?.kill();
    await db?.drop();
  });

  const frac = (i: number) => Math.abs((Math.sin(i * 12.9898) * 43758.5453) % 1);
  const pred = (i: number, over: Record<string, unknown> = {}, id = `${run}-${i}`) =>
    eventRecord(
      PredictionEventSchema,
      {
        eventId: id,
        modelId: model,
        modelVersion: '3',
        timestamp: timestampFromDate(new Date()),
        inputUri: `mail://${run}/${i}`,
        contentHash: `sha256:${run}-${i}`,
        predictedLabel: i % 3 ? 'ham' : 'spam',
        classProbabilities: i % 3 ? { ham: 0.95, spam: 0.05 } : { ham: 0.05, spam: 0.95 },
        confidence: 0.95,
        categoricalFeatures: { region: i % 2 ? 'eu' : 'us' },
        embedding: [frac(i) - 0.5, frac(i + 1) - 0.5, frac(i + 2) - 0.5, frac(i + 3) - 0.5],
        metadata: { project_id: `proj-${run}` },
        ...over,
      } as never,
      { id, key: model },
    );

  it('produces a request per trigger with its metadata, once per item', async () => {
    const client = createGrpcClient(SamplingService, `127.0.0.1:${(await svc.ready).grpcPort}`, { token });
    await client.upsertSamplingPolicy({
      policy: { modelId: model, lowMarginEnabled: true, marginThreshold: 0.2, auditRate: 0.05, microBatchSize: 1000, strategy: 'entropy' },
    });
    const producer = await testProducer(kafka);
    await producer.send({ topic: Topics.predictionRecorded, messages: Array.from({ length: 300 }, (_, i) => pred(i)) });
    const lowConf = pred(1000, { confidence: 0.4, classProbabilities: { ham: 0.4, spam: 0.35, phish: 0.25 } });
    await producer.send({
      topic: Topics.predictionRecorded,
      messages: [
        lowConf,
        pred(1001, { confidence: 0.7, classProbabilities: { ham: 0.55, spam: 0.45 } }), // low margin
        pred(1002, { predictedLabel: 'phishing', classProbabilities: { phishing: 0.9, ham: 0.1 }, confidence: 0.9 }), // new class
        pred(1003, { categoricalFeatures: { region: 'mars' } }), // new category
        pred(1004, { predictedLabel: 'ham', groundTruth: { label: 'spam', source: GroundTruth_Source.USER_OVERRIDE } }), // performance
        lowConf, // redelivered
        pred(1000, { confidence: 0.4 }, `${run}-again`), // same content, new event id
      ],
    });
    // A drift alert naming a confident event that no other trigger (nor the 5% audit, drawn
    // from the sha256 of the event id) would pick.
    const rep = Array.from({ length: 300 }, (_, i) => i).find((i) => !drawn(`${run}-${i}`))!;
    await producer.send({
      topic: Topics.driftDetected,
      messages: [
        eventRecord(
          DriftDetectedSchema,
          {
            alertId: `a-${run}`,
            modelId: model,
            representativeEventIds: [`${run}-${rep}`],
            windowStart: timestampFromDate(new Date(0)),
            windowEnd: timestampFromDate(new Date(1000)),
          },
          { key: model },
        ),
      ],
    });
    await producer.disconnect();

    const wanted = [1000, 1001, 1002, 1003, 1004, rep];
    let byEvent = new Map<string, Awaited<ReturnType<typeof client.listSamplingDecisions>>['requests'][number]>();
    const missing = () => wanted.filter((i) => !byEvent.has(`${run}-${i}`));
    await eventually(
      async () => {
        const reqs = (await client.listSamplingDecisions({ modelId: model, limit: 1000 })).requests;
        byEvent = new Map(reqs.map((r) => [r.sourceEventId, r]));
        return missing().length === 0;
      },
      'requests for every trigger',
      120_000,
      500,
    ).catch(() => undefined);
    expect(missing()).toEqual([]);
    const t = (i: number) => byEvent.get(`${run}-${i}`)!;
    expect(t(1000)).toMatchObject({
      trigger: Trigger.LOW_CONFIDENCE,
      strategy: 'entropy',
      modelId: model,
      modelVersion: '3',
      auditSample: false,
      projectId: `proj-${run}`,
      inputUri: `mail://${run}/1000`,
    });
    expect(t(1000).preLabel).toMatchObject({ predictedLabel: 'ham', confidence: 0.4 });
    expect(t(1000).score).toBeGreaterThan(0.9); // normalised entropy of (0.4, 0.35, 0.25)
    expect(t(1001).trigger).toBe(Trigger.LOW_MARGIN);
    expect(t(1002).trigger).toBe(Trigger.NEW_CLASS);
    expect(t(1003).trigger).toBe(Trigger.NEW_CLASS);
    expect(t(1004).trigger).toBe(Trigger.PERFORMANCE_DECLINE);
    expect(t(rep)).toMatchObject({
      trigger: Trigger.DRIFT,
      strategy: 'drift_representative',
      inputUri: `mail://${run}/${rep}`,
      contentHash: `sha256:${run}-${rep}`,
    });
    const audits = [...byEvent.values()].filter((r) => r.trigger === Trigger.RANDOM_AUDIT);
    expect(audits.length).toBeGreaterThan(3); // 5% of ~300
    expect(audits.every((a) => a.auditSample && a.strategy === 'random')).toBe(true);

    // Exactly one request for the redelivered / re-sent content.
    expect([...byEvent.values()].filter((r) => r.contentHash === `sha256:${run}-1000`)).toHaveLength(1);
    const onWire = (await readTopic(kafka, Topics.annotationRequested, 100_000, 5_000))
      .map((m) => fromBinary(AnnotationRequestedSchema, m.value!))
      .filter((r) => r.contentHash === `sha256:${run}-1000`);
    expect(onWire).toHaveLength(1);
    client.close();
  });
  it('flags an edge-case spike only when the low-confidence rate rises above its own baseline', async () => {
    const spiky = `${model}-spike`;
    const client = createGrpcClient(SamplingService, `127.0.0.1:${(await svc.ready).grpcPort}`, { token });
    await client.upsertSamplingPolicy({
      policy: { modelId: spiky, confidenceThreshold: 0.5, edgeSpikeEnabled: true, edgeSpikeFactor: 2, auditRate: 0, microBatchSize: 1000, strategy: 'entropy' },
    });
    // A baseline of 600 predictions, one in 50 below the confidence threshold (2 %), then a
    // burst of 100 in which every other one is (50 %).
    const low = { confidence: 0.4, classProbabilities: { ham: 0.4, spam: 0.35, phish: 0.25 } };
    // Its own content (the first test's audit may have requested `sha256:<run>-<i>` already).
    const ev = (i: number, isLow: boolean) =>
      pred(i, { modelId: spiky, embedding: [], contentHash: `sha256:${run}-s${i}`, ...(isLow ? low : {}) }, `${run}-s${i}`);
    const baselineLow = Array.from({ length: 600 }, (_, i) => i).filter((i) => i % 50 === 25);
    const burstLow = Array.from({ length: 100 }, (_, k) => 600 + k).filter((i) => i % 2 === 0);
    const producer = await testProducer(kafka);
    for (let i = 0; i < 700; i += 100) {
      await producer.send({
        topic: Topics.predictionRecorded,
        messages: Array.from({ length: 100 }, (_, k) => i + k).map((j) => ev(j, j < 600 ? baselineLow.includes(j) : burstLow.includes(j))),
      });
    }
    await producer.disconnect();
    let reqs: Awaited<ReturnType<typeof client.listSamplingDecisions>>['requests'] = [];
    await eventually(
      async () => {
        reqs = (await client.listSamplingDecisions({ modelId: spiky, limit: 1000 })).requests;
        return reqs.length >= baselineLow.length + burstLow.length;
      },
      'a request for every low-confidence prediction',
      120_000,
      500,
    ).catch(() => undefined);
    const trig = new Map(reqs.map((r) => [r.sourceEventId, r.trigger]));
    // Every low-confidence prediction is requested, none of the confident ones.
    expect([...trig.keys()].sort()).toEqual([...baselineLow, ...burstLow].map((i) => `${run}-s${i}`).sort());
    // The baseline's low-confidence items are plain LOW_CONFIDENCE requests…
    expect(baselineLow.map((i) => trig.get(`${run}-s${i}`))).toEqual(baselineLow.map(() => Trigger.LOW_CONFIDENCE));
    // …while the burst is recognised as a spike within a few events of its start.
    const spikeFrom = burstLow.findIndex((i) => trig.get(`${run}-s${i}`) === Trigger.EDGE_CASE_SPIKE);
    expect(spikeFrom).toBeGreaterThanOrEqual(0);
    expect(spikeFrom).toBeLessThanOrEqual(5);
    expect(burstLow.slice(spikeFrom).every((i) => trig.get(`${run}-s${i}`) === Trigger.EDGE_CASE_SPIKE)).toBe(true);
    client.close();
  });

  it('spends drift labels only on alerts whose estimated accuracy fell, when the policy says so', async () => {
    const careful = `${model}-cbpe`;
    const client = createGrpcClient(SamplingService, `127.0.0.1:${(await svc.ready).grpcPort}`, { token });
    await client.upsertSamplingPolicy({
      policy: { modelId: careful, driftNeedsAccuracyDrop: true, lowConfidenceEnabled: false, auditRate: 0, edgeSpikeEnabled: false, strategy: 'entropy' },
    });
    // Confident predictions no trigger picks; then three alerts, each naming one of them: a
    // covariate shift whose estimated accuracy held, an estimated drop, and one with no estimate.
    const ev = (i: number) => pred(i, { modelId: careful, contentHash: `sha256:${run}-c${i}` }, `${run}-c${i}`);
    const cbpe = (drifted: boolean) => ({ feature: 'estimated_accuracy', method: 'cbpe_drop', statistic: drifted ? 0.12 : -0.01, threshold: 0.05, drifted });
    const confidence = { feature: 'confidence', method: 'ks', statistic: 0.4, pValue: 1e-9, threshold: 0.01, drifted: true };
    const alert = (k: number, features: object[]) =>
      eventRecord(
        DriftDetectedSchema,
        {
          alertId: `c${k}-${run}`,
          modelId: careful,
          representativeEventIds: [`${run}-c${k}`],
          features,
          windowStart: timestampFromDate(new Date(0)),
          windowEnd: timestampFromDate(new Date(1000)),
        } as never,
        { key: careful },
      );
    const producer = await testProducer(kafka);
    await producer.send({ topic: Topics.predictionRecorded, messages: [0, 1, 2].map(ev) });
    await producer.send({
      topic: Topics.driftDetected,
      messages: [alert(0, [confidence, cbpe(false)]), alert(1, [confidence, cbpe(true)]), alert(2, [confidence])],
    });
    await producer.disconnect();
    let reqs: Awaited<ReturnType<typeof client.listSamplingDecisions>>['requests'] = [];
    // The alerts share a key, so they are handled in order: once the last one has spent, the first one's turn is over.
    await eventually(
      async () => {
        reqs = (await client.listSamplingDecisions({ modelId: careful, limit: 100 })).requests;
        return reqs.some((r) => r.sourceEventId === `${run}-c2`);
      },
      'the alert without an estimate spent',
      120_000,
      500,
    ).catch(() => undefined);
    expect(reqs.map((r) => [r.sourceEventId, r.trigger]).sort()).toEqual([
      [`${run}-c1`, Trigger.DRIFT],
      [`${run}-c2`, Trigger.DRIFT],
    ]);
    client.close();
  });
});
