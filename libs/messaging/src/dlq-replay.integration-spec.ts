/**
 * DLQ replay on the real broker and database: an event a handler refused goes to the DLQ;
 * after the "fix" the replay applies it exactly once; replaying again changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PredictionEvent, PredictionEventSchema } from '@labelloop/contracts';
import { createServiceDataSource, DataSource, EntityManager, migrate } from '@labelloop/persistence';
import { createTestDatabase, createTestTopics, eventRecord, eventually, readTopic, testKafka, testProducer } from '@labelloop/testing';
import { ConsumedEvent, EventConsumer, EventHandler } from './event-consumer';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { PoisonMessageError } from './errors';
import { replayDlq } from './dlq-replay';

class Effects1700000000001 implements MigrationInterface {
  name = 'Effects1700000000001';
  async up(qr: QueryRunner) {
    await qr.query('CREATE TABLE effect (event_id text NOT NULL, model_id text NOT NULL)');
  }
  async down(qr: QueryRunner) {
    await qr.query('DROP TABLE effect');
  }
}

describe('DLQ replay (real Kafka + PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const topic = `test.replay-${run}.recorded.v1`;
  const kafka = testKafka();
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let consumer: EventConsumer;
  let relay: OutboxRelay;
  let fixed = false;

  const handler: EventHandler<typeof PredictionEventSchema> = {
    topic,
    schema: PredictionEventSchema,
    async handle(events: ConsumedEvent<PredictionEvent>[], em: EntityManager) {
      for (const ev of events) {
        if (ev.message.modelId === 'needs-fix' && !fixed) throw new PoisonMessageError(ev.id, 'unsupported model (bug #42)');
        await em.query('INSERT INTO effect VALUES ($1, $2)', [ev.id, ev.message.modelId]);
      }
    },
  };

  beforeAll(async () => {
    await createTestTopics(kafka, [topic]);
    db = await createTestDatabase('replay');
    ds = createServiceDataSource({ url: db.url, schema: 'replaytest', migrations: [Effects1700000000001] });
    await ds.initialize();
    await migrate(ds);
    const outbox = new Outbox('labelloop/test');
    consumer = new EventConsumer({ kafka, dataSource: ds, groupId: `replay-${run}`, handlers: [handler as EventHandler], outbox, txBatch: 50 });
    relay = new OutboxRelay({ dataSource: ds, kafka, lockName: `replay-${run}`, batchSize: 100, pollMs: 20 });
    await consumer.start();
    await relay.start();
  });
  afterAll(async () => {
    await consumer?.stop();
    await relay?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  const effects = async (model: string) => Number((await ds.query('SELECT count(*) AS n FROM effect WHERE model_id = $1', [model]))[0].n);

  it('replays a dead letter after a fix exactly once, and a second replay changes nothing', async () => {
    const producer = await testProducer(kafka);
    await producer.send({
      topic,
      messages: [
        eventRecord(PredictionEventSchema, { eventId: 'a', modelId: 'needs-fix' }, { key: 'k' }),
        eventRecord(PredictionEventSchema, { eventId: 'b', modelId: 'fine' }, { key: 'k' }),
      ],
    });
    await producer.disconnect();
    await eventually(async () => (await effects('fine')) === 1, 'the good event');
    const dlq = await readTopic(kafka, `${topic}.dlq`, 1, 20_000);
    expect(dlq[0].headers['dlq-reason']).toBe('unsupported model (bug #42)');
    expect(await effects('needs-fix')).toBe(0);

    const dry = await replayDlq(kafka, { dlqTopic: `${topic}.dlq`, groupId: `replayer-${run}`, dryRun: true });
    expect(dry).toEqual({ groupId: `replayer-${run}`, replayed: 0, skipped: 0, reasons: { 'unsupported model (bug #42)': 1 } });

    fixed = true; // the fix is deployed
    const first = await replayDlq(kafka, { dlqTopic: `${topic}.dlq`, groupId: `replayer-${run}` });
    expect(first.replayed).toBe(1);
    await eventually(async () => (await effects('needs-fix')) === 1, 'replayed event applied');

    // Replaying again: the replayer's group has nothing new; a fresh group re-sends the copy,
    // and the consumer's inbox (outcome now 'applied') refuses it.
    expect((await replayDlq(kafka, { dlqTopic: `${topic}.dlq`, groupId: `replayer-${run}` })).replayed).toBe(0);
    expect((await replayDlq(kafka, { dlqTopic: `${topic}.dlq`, groupId: `replayer2-${run}` })).replayed).toBe(1);
    const marker = await testProducer(kafka);
    await marker.send({ topic, messages: [eventRecord(PredictionEventSchema, { eventId: 'c', modelId: 'marker' }, { key: 'k' })] });
    await marker.disconnect();
    await eventually(async () => (await effects('marker')) === 1, 'marker after the second replay');
    expect(await effects('needs-fix')).toBe(1);
  });
});

/**
 * Produces `messages` from a worker thread and blocks this one until the broker acknowledged
 * them: a dead letter that arrives at an exact point of a replay run (from its `log` callback).
 */
function produceBlocking(topic: string, messages: { key: string; value: Buffer; headers: Record<string, string> }[]): void {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const { Kafka, logLevel } = require('kafkajs');
     const p = new Kafka({ brokers: workerData.brokers, logLevel: logLevel.NOTHING }).producer();
     p.connect()
       .then(() => p.send({ topic: workerData.topic, acks: -1, messages: workerData.messages.map((m) => ({ ...m, value: Buffer.from(m.value) })) }))
       .then(() => p.disconnect())
       .then(() => 1, () => 2)
       .then((r) => { Atomics.store(workerData.done, 0, r); Atomics.notify(workerData.done, 0); });`,
    { eval: true, workerData: { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(','), topic, messages, done } },
  );
  Atomics.wait(done, 0, 0, 30_000);
  void worker.terminate();
  if (done[0] !== 1) throw new Error(`could not produce to ${topic} from the worker (${done[0]})`);
}

describe('DLQ replay commits only what it replayed or was told to skip (real Kafka)', () => {
  const kafka = testKafka();
  const run = randomUUID().slice(0, 8);
  let producer: Awaited<ReturnType<typeof testProducer>>;
  beforeAll(async () => {
    producer = await testProducer(kafka);
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  /** Dead letters as the consumer writes them: original bytes and ce_* headers, plus dlq-* headers. */
  const deadLetters = (topic: string, ids: string[], reason: (i: number) => string) =>
    ids.map((id, i) => {
      const r = eventRecord(PredictionEventSchema, { eventId: id, modelId: 'm', embedding: new Array(1000).fill(i) }, { id, key: `k${i % 4}` });
      return { ...r, headers: { ...r.headers, 'dlq-reason': reason(i), 'dlq-original-topic': topic, 'dlq-original-offset': String(i) } };
    });

  /** How many times each ce_id reached the original topic. */
  const copies = async (topic: string): Promise<Map<string, number>> => {
    const admin = kafka.admin();
    await admin.connect();
    const total = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    await admin.disconnect();
    const seen = new Map<string, number>();
    for (const m of await readTopic(kafka, topic, total, 20_000)) seen.set(m.headers.ce_id, (seen.get(m.headers.ce_id) ?? 0) + 1);
    return seen;
  };
  const committed = async (groupId: string, topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    return t.partitions[0].offset;
  };

  it('leaves dead letters that arrive during a run to the next run, and replays each exactly once', async () => {
    const topic = `test.replay-late-${run}.recorded.v1`;
    await createTestTopics(kafka, [topic]);
    // ~1.2 MB of dead letters: more than one fetch (kafkajs fetches 1 MiB per partition).
    const early = Array.from({ length: 300 }, (_, i) => `early-${i}`);
    const late = Array.from({ length: 100 }, (_, i) => `late-${i}`);
    for (let i = 0; i < early.length; i += 100)
      await producer.send({ topic: `${topic}.dlq`, messages: deadLetters(topic, early.slice(i, i + 100), () => 'db down') });

    // At the run's first log line (it has read the end offsets by then), more dead letters arrive:
    // the run waits until the broker has them, so its next fetch holds them with earlier ones.
    let arrived = false;
    const first = await replayDlq(kafka, {
      dlqTopic: `${topic}.dlq`,
      groupId: `replayer-${run}`,
      log: () => {
        if (!arrived)
          produceBlocking(
            `${topic}.dlq`,
            deadLetters(topic, late, () => 'db down'),
          );
        arrived = true;
      },
    });
    expect(first.replayed).toBe(300);
    expect(await committed(`replayer-${run}`, `${topic}.dlq`)).toBe('300');

    const second = await replayDlq(kafka, { dlqTopic: `${topic}.dlq`, groupId: `replayer-${run}` });
    expect(second.replayed).toBe(100);
    const seen = await copies(topic);
    expect([...seen.keys()].sort()).toEqual([...early, ...late].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('keeps what a --reason run skipped for a run with another filter, under a group of its own', async () => {
    const topic = `test.replay-reason-${run}.recorded.v1`;
    await createTestTopics(kafka, [topic]);
    const ids = Array.from({ length: 100 }, (_, i) => `letter-${i}`);
    const reason = (i: number) => (i % 5 === 2 ? 'unsupported model (bug #42)' : 'database unavailable');
    await producer.send({ topic: `${topic}.dlq`, messages: deadLetters(topic, ids, reason) });

    const bug = await replayDlq(kafka, { dlqTopic: `${topic}.dlq`, groupId: `replayer-${run}`, reasonFilter: /bug #42/ });
    expect({ replayed: bug.replayed, skipped: bug.skipped }).toEqual({ replayed: 20, skipped: 80 });
    const db = await replayDlq(kafka, { dlqTopic: `${topic}.dlq`, groupId: `replayer-${run}`, reasonFilter: /^database/ });
    expect({ replayed: db.replayed, skipped: db.skipped }).toEqual({ replayed: 80, skipped: 20 });
    expect(db.groupId).not.toBe(bug.groupId);
    // Running a filter again finds nothing new: its group committed what it replayed and skipped.
    expect((await replayDlq(kafka, { dlqTopic: `${topic}.dlq`, groupId: `replayer-${run}`, reasonFilter: /bug #42/ })).replayed).toBe(0);

    const seen = await copies(topic);
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });
});
