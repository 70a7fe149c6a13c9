/**
 * Hostile predictions against the ingest gateway, drift-detection and sampling as processes, on
 * the real broker and database: NUL characters (in a feature, a label, the event id / ce_id), a timestamp of 1e13 s
 * and an oversized feature map, sent through IngestService.Ingest and straight onto the topic
 * between valid events. Ingest refuses each with INVALID_ARGUMENT naming the field and writes
 * nothing of it; on the topic each lands in the DLQ once per consuming stage, with a reason; every
 * valid event is applied by both stages, and both stay ready. Before, PostgreSQL's refusal of
 * these values was retried forever and stopped the partition.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { IngestService, PredictionEventSchema, Topics } from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import type { Client } from 'pg';
import { E2eRig, eventRecord, eventually, readTopic, ServiceProcess } from '@labelloop/testing';
import { inboxOf } from '../fault/reconcile';

describe('hostile input: a poison prediction never stops a stage', () => {
  const run = randomUUID().slice(0, 8);
  const model = `hostile-${run}`;
  const rig = new E2eRig();
  const kafka = rig.kafka;
  const token = `svc-${run}`;
  let drift: ServiceProcess;
  let sampling: ServiceProcess;
  let gateway: ServiceProcess;
  let pg: Client;
  const groups = { drift: `hostile-drift-${run}`, sampling: `hostile-sampling-${run}` };

  beforeAll(async () => {
    const db = await rig.database('hostile');
    const env = {
      DATABASE_URL: db.url,
      AUTH_TOKENS: JSON.stringify([{ token, subject: 'inference', roles: ['service'], projects: ['*'] }]),
      CONSUMER_TX_BATCH: '20',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    await rig.startAtEnd({ [groups.drift]: [Topics.predictionRecorded, Topics.modelPromoted], [groups.sampling]: [Topics.predictionRecorded] });
    drift = rig.service('drift-detection', { ...env, KAFKA_GROUP_ID: groups.drift });
    sampling = rig.service('sampling', { ...env, KAFKA_GROUP_ID: groups.sampling });
    gateway = rig.service('ingest-gateway', env);
    await Promise.all([drift.ready, sampling.ready, gateway.ready]);
    pg = await rig.pg(db.url);
  });
  afterAll(() => rig.close());

  const event = (id: string, extra: Record<string, unknown> = {}) => ({
    eventId: id,
    modelId: model,
    modelVersion: '1',
    contentHash: `sha256:${id}`,
    inputUri: `test://${id}`,
    predictedLabel: 'ham',
    confidence: 0.9,
    classProbabilities: { ham: 0.9, spam: 0.1 },
    numericFeatures: { length: 3 },
    ...extra,
  });
  const wide = (n: number) => ({ numericFeatures: Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i])) });
  /** One of each kind; `features` is how wide the oversized map is. */
  const hostile = (via: 'ingest' | 'topic', features: number, prefix = `${run}-${via}`) => [
    {
      id: `${prefix}-nul-feature`,
      extra: { categoricalFeatures: { country: 'd\u0000e' } },
      reason: 'categorical_features.country contains a NUL character (U+0000)',
    },
    { id: `${prefix}-nul-label`, extra: { predictedLabel: 'spam\u0000' }, reason: 'predicted_label contains a NUL character (U+0000)' },
    {
      id: `${prefix}-nul-id\u0000`,
      extra: {},
      reason: via === 'ingest' ? 'event_id contains a NUL character (U+0000)' : 'ce_id contains a NUL character (U+0000)',
    },
    {
      id: `${prefix}-far-time`,
      extra: { timestamp: { seconds: 10_000_000_000_000n, nanos: 0 } },
      reason: 'timestamp is out of range (10000000000000 s; allowed 1970-01-01 to 9999-12-31)',
    },
    { id: `${prefix}-wide`, extra: wide(features), reason: 'numeric_features has more than 10000 entries' },
  ];
  /** A dead letter's ce_id (kept in base64 when it could not be stored as text). */
  const ceId = (m: { headers: Record<string, string> }) =>
    (m.headers['dlq-base64-headers'] ?? '').split(',').includes('ce_id') ? Buffer.from(m.headers.ce_id, 'base64').toString('utf8') : (m.headers.ce_id ?? '');
  const ready = async (svc: ServiceProcess) => (await fetch(`http://127.0.0.1:${(await svc.ready).httpPort}/readyz`)).status;

  it('refuses hostile events at Ingest and dead-letters them from the topic, applying every valid event in both stages', async () => {
    const ingest = createGrpcClient(IngestService, `127.0.0.1:${(await gateway.ready).grpcPort}`, { token });
    const valid: string[] = [];
    try {
      // Through Ingest: 100,000 features is a valid gRPC message, refused by the contract.
      for (const [i, h] of hostile('ingest', 100_000).entries()) {
        const ok = `${run}-ingest-valid-${i}`;
        valid.push(ok);
        await expect(ingest.ingest({ predictions: [event(ok), event(h.id, h.extra)] })).rejects.toMatchObject({
          code: status.INVALID_ARGUMENT,
          details: `predictions[1]: ${h.reason}`,
        });
        expect(await ingest.ingest({ predictions: [event(ok)] })).toMatchObject({ accepted: 1, duplicates: 0 });
      }
    } finally {
      ingest.close();
    }

    // Straight onto the topic, each between two valid events. 20,000 features: a record of
    // 100,000 (about 1.7 MB) is more than the broker's message.max.bytes takes at all.
    const producer = await rig.producer();
    const onTopic = hostile('topic', 20_000);
    for (const [i, h] of onTopic.entries()) {
      const ok = `${run}-topic-valid-${i}`;
      valid.push(ok);
      const bad = eventRecord(PredictionEventSchema, event(h.id.replace('\u0000', ''), h.extra) as never, { key: model, id: h.id });
      await producer.send({
        topic: Topics.predictionRecorded,
        messages: [eventRecord(PredictionEventSchema, event(ok) as never, { key: model, id: ok }), bad],
      });
    }
    // Valid but odd: two uncertain predictions of one model whose embeddings differ in size, in
    // one chunk. Sampling compared them for near-duplicates and threw (cosine similarity needs
    // equal lengths), retrying the chunk forever.
    const odd = `${model}-dims`;
    const dims = [3, 4].map((d) => `${run}-dims-${d}`);
    await producer.send({
      topic: Topics.predictionRecorded,
      messages: dims.map((id, i) =>
        eventRecord(
          PredictionEventSchema,
          event(id, {
            modelId: odd,
            confidence: 0.2,
            classProbabilities: { ham: 0.2, spam: 0.8 },
            embedding: Array.from({ length: 3 + i }, (_, j) => j + 1),
          }) as never,
          { key: odd, id },
        ),
      ),
    });
    const last = `${run}-topic-valid-last`;
    valid.push(last);
    await producer.send({ topic: Topics.predictionRecorded, messages: [eventRecord(PredictionEventSchema, event(last) as never, { key: model, id: last })] });
    await producer.disconnect();

    await eventually(
      async () => {
        const { rows } = await pg.query(`SELECT event_id FROM ${inboxOf('sampling').sql} WHERE outcome = 'applied' AND event_id = ANY($1)`, [dims]);
        return rows.length === 2;
      },
      'sampling applied both predictions with embeddings of different sizes',
      60_000,
    );

    // Both stages apply every valid event (their compact inboxes list what they applied).
    for (const schema of ['drift_detection', 'sampling']) {
      await eventually(
        async () => {
          const { rows } = await pg.query(
            `SELECT event_id FROM ${inboxOf(schema).sql} WHERE outcome = 'applied' AND event_id LIKE $1 AND event_id NOT LIKE $2`,
            [`${run}-%`, `${run}-dims-%`],
          );
          return rows.length >= valid.length;
        },
        `${schema} applied every valid event`,
        60_000,
      );
      // No hostile event (their ids share the prefix) was applied.
      const { rows } = await pg.query(`SELECT event_id FROM ${inboxOf(schema).sql} WHERE outcome = 'applied' AND event_id LIKE $1 AND event_id NOT LIKE $2`, [
        `${run}-%`,
        `${run}-dims-%`,
      ]);
      expect(rows.map((r) => r.event_id).sort()).toEqual([...valid].sort());
    }

    // Each hostile event is in the DLQ once per stage, with the reason; nothing from Ingest is
    // there. (Other tests may share the topic: only this run's dead letters count.)
    const dlq = (await readTopic(kafka, `${Topics.predictionRecorded}.dlq`, Number.MAX_SAFE_INTEGER, 15_000)).filter((m) =>
      Object.values(groups).includes(m.headers['dlq-consumer-group']),
    );
    for (const group of Object.values(groups)) {
      // (Drift detection refuses the second odd embedding for its model's reference: not this case's subject.)
      const reasons = dlq.filter((m) => m.headers['dlq-consumer-group'] === group && ceId(m).startsWith(`${run}-topic`)).map((m) => m.headers['dlq-reason']);
      expect(reasons.sort()).toEqual(onTopic.map((h) => (h.reason.startsWith('ce_id') ? h.reason : `invalid: ${h.reason}`)).sort());
    }
    expect(dlq.filter((m) => ceId(m).startsWith(`${run}-ingest`))).toEqual([]);
    expect(await ready(drift)).toBe(200);
    expect(await ready(sampling)).toBe(200);
  });
});
