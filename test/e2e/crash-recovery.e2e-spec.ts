/**
 * SIGKILL of a consumer process mid-stream loses nothing and duplicates nothing.
 *
 * sampling (which turns predictions into annotation requests) is killed with SIGKILL three
 * times while a stream of predictions is flowing (a process crash, not power loss: the
 * PostgreSQL server and Kafka broker stay up), and restarted each time. annotation-dispatch
 * runs downstream. Afterwards the stores are reconciled against what was sent:
 *  - every prediction id is in sampling's inbox exactly once (its compact inbox: the ids each
 *    chunk applied, so a redelivery or a re-sent copy recorded twice would show);
 *  - every item has exactly one sampling decision and exactly one task downstream;
 *  - the AnnotationRequested events on the topic cover every item (a re-sent copy after a
 *    crash is allowed on the wire; its ce_id is the same, so it has no second effect).
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PredictionEventSchema, Topics } from '@labelloop/contracts';
import { createTestDatabase, eventRecord, eventually, readTopic, ServiceProcess, startService, testKafka, testProducer } from '@labelloop/testing';
import { inboxOf } from '../fault/reconcile';

describe('crash recovery: SIGKILL of a consumer mid-stream', () => {
  const run = randomUUID().slice(0, 8);
  const project = `crash-${run}`;
  const N = 3000;
  const kafka = testKafka();
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pg: Client;
  let sampling: ServiceProcess;
  let dispatch: ServiceProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase('crash');
    // A short session timeout lets the group drop the killed member quickly (the broker's minimum is 6 s).
    env = {
      DATABASE_URL: db.url,
      SAMPLING_AUDIT_RATE: '0',
      SAMPLING_MICRO_BATCH: '10000',
      CONSUMER_TX_BATCH: '100',
      AUTH_TOKENS: '[]',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    sampling = startService('sampling', { ...env, KAFKA_GROUP_ID: `crash-${run}-sampling` });
    dispatch = startService('annotation-dispatch', { ...env, KAFKA_GROUP_ID: `crash-${run}-dispatch` });
    await Promise.all([sampling.ready, dispatch.ready]);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await sampling?.kill('SIGTERM');
    await dispatch?.kill('SIGTERM');
    await db?.drop();
  });

  const count = async (sql: string): Promise<number> => Number((await pg.query(sql)).rows[0].n);

  it('reconciles exactly after three SIGKILLs', async () => {
    const producer = await testProducer(kafka);
    const ids = Array.from({ length: N }, (_, i) => `${run}-p${i}`);
    const records = ids.map((id, i) =>
      eventRecord(
        PredictionEventSchema,
        {
          eventId: id,
          modelId: `m-${run}`,
          modelVersion: '1',
          contentHash: `sha256:${run}-${i}`,
          inputUri: `corpus://${run}/${i}`,
          predictedLabel: 'ham',
          confidence: 0.2 + (i % 30) / 100,
          metadata: { project_id: project },
        },
        { id, key: `m-${run}-${i % 7}` },
      ),
    );
    // Producer retries: 300 events are sent twice.
    const resent = records.slice(0, 300);
    const all = [...records, ...resent];
    await producer.send({ topic: Topics.predictionRecorded, messages: all });
    await producer.disconnect();
    // Kill while our events are being processed: after a quarter, a half and three quarters.
    const decided = () => count(`SELECT count(*) AS n FROM sampling.sampling_decision WHERE model_id = 'm-${run}'`).catch(() => 0);
    const kills: number[] = [];
    for (const share of [0.25, 0.5, 0.75]) {
      await eventually(async () => (await decided()) >= share * N, `${share * 100}% decided`, 120_000, 50);
      await sampling.kill('SIGKILL');
      kills.push(await decided());
      sampling = startService('sampling', { ...env, KAFKA_GROUP_ID: `crash-${run}-sampling` });
      await sampling.ready;
    }
    expect(kills.some((k) => k > 0 && k < N)).toBe(true); // at least one kill hit mid-stream

    await eventually(
      async () => (await count(`SELECT count(*) AS n FROM annotation_dispatch.annotation_task WHERE project_id = '${project}'`)) >= N,
      `${N} tasks`,
      180_000,
      500,
    );
    // Let any redelivery after the last restart settle, then reconcile from the stores.
    await new Promise((r) => setTimeout(r, 3000));

    // The group reads the topic from the beginning, so other tests' events are there too: count ours.
    const inbox = await pg.query(`SELECT event_id FROM ${inboxOf('sampling').sql} WHERE topic = $1 AND event_id LIKE $2 AND outcome = 'applied'`, [
      Topics.predictionRecorded,
      `${run}-p%`,
    ]);
    const inboxIds = new Set(inbox.rows.map((r) => r.event_id as string));
    expect(inbox.rowCount).toBe(N);
    expect(ids.every((id) => inboxIds.has(id))).toBe(true);

    expect(await count(`SELECT count(*) AS n FROM sampling.sampling_decision WHERE model_id = 'm-${run}'`)).toBe(N);
    expect(await count(`SELECT count(DISTINCT source_event_id) AS n FROM sampling.sampling_decision WHERE model_id = 'm-${run}'`)).toBe(N);
    expect(await count(`SELECT count(*) AS n FROM annotation_dispatch.annotation_task WHERE project_id = '${project}'`)).toBe(N);
    expect(await count(`SELECT count(DISTINCT item_id) AS n FROM annotation_dispatch.annotation_task WHERE project_id = '${project}'`)).toBe(N);
    expect(await count(`SELECT count(*) AS n FROM sampling.outbox`)).toBe(0);

    const requested = (await readTopic(kafka, Topics.annotationRequested, 1_000_000, 8_000)).filter((m) => m.headers.ce_source === 'labelloop/sampling');
    const ours = new Set(
      (await pg.query(`SELECT item_id FROM sampling.sampling_decision WHERE model_id = $1`, [`m-${run}`])).rows.map((r) => `annotation-requested:${r.item_id}`),
    );
    const seen = requested.map((m) => m.headers.ce_id).filter((id) => ours.has(id));
    expect(new Set(seen).size).toBe(N);
    process.stdout.write(
      `crash-recovery: ${N} events (+${resent.length} re-sent), SIGKILLs at decisions=${kills.join(',')}, ` +
        `inbox=${inbox.rowCount}, decisions=${N}, tasks=${N}, AnnotationRequested on the wire=${seen.length} (re-sent after crash: ${seen.length - N})\n`,
    );
  });
});
