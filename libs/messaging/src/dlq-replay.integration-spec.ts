/**
 * DLQ replay on the real broker and database: an event a handler refused goes to the DLQ;
 * after the "fix" the replay applies it exactly once; replaying again changes nothing.
 */
import { randomUUID } from 'node:crypto';
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
    expect(dry).toEqual({ replayed: 0, skipped: 0, reasons: { 'unsupported model (bug #42)': 1 } });

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
