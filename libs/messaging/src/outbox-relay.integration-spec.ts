/**
 * The outbox relay on the real broker (message.max.bytes 1048588, the Kafka default) and
 * PostgreSQL: a burst of large dead letters must not wedge it, and a row the broker can never
 * accept is parked, counted and logged while everything else is published once, in order.
 */
import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import type { LoggerService } from '@nestjs/common';
import { PredictionEvent, PredictionEventSchema } from '@labelloop/contracts';
import { Metrics } from '@labelloop/observability';
import { createServiceDataSource, DataSource, EntityManager, migrate } from '@labelloop/persistence';
import { createTestDatabase, eventRecord, eventually, readTopic, testKafka, testProducer } from '@labelloop/testing';
import { ConsumedEvent, EventConsumer, EventHandler } from './event-consumer';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { PoisonMessageError } from './errors';

/** Collects what the relay logs, as a service's logger would print it. */
class CapturingLogger implements LoggerService {
  readonly lines: { level: string; entry: unknown }[] = [];
  log(entry: unknown) {
    this.lines.push({ level: 'log', entry });
  }
  warn(entry: unknown) {
    this.lines.push({ level: 'warn', entry });
  }
  error(entry: unknown) {
    this.lines.push({ level: 'error', entry });
  }
}

/** Waits until at most one row is left in the outbox; on timeout, says what the relay last logged. */
async function untilOneLeft(ds: DataSource, logger: CapturingLogger, what: string): Promise<void> {
  await eventually(async () => Number((await ds.query('SELECT count(*) AS n FROM outbox'))[0].n) <= 1, what, 60_000).catch((e: Error) => {
    throw new Error(`${e.message}; the relay last logged ${JSON.stringify(logger.lines.at(-1)?.entry)}`);
  });
}

const embedding = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i));

describe('OutboxRelay under large messages (real Kafka + PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const topic = `test.relay-${run}.recorded.v1`;
  const dlq = `${topic}.dlq`;
  const out = `test.relay-${run}.applied.v1`;
  const kafka = testKafka();
  const outbox = new Outbox('labelloop/test');
  const metrics = new Metrics('relay-test');
  const logger = new CapturingLogger();
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let consumer: EventConsumer;
  let relay: OutboxRelay | undefined;

  // Valid events emit one event each to `out`; events of model 'poison' are refused.
  const handler: EventHandler<typeof PredictionEventSchema> = {
    topic,
    schema: PredictionEventSchema,
    async handle(events: ConsumedEvent<PredictionEvent>[], em: EntityManager) {
      for (const ev of events) {
        if (ev.message.modelId === 'poison') throw new PoisonMessageError(ev.id, 'refused by the test');
        await outbox.emit(em, { topic: out, key: ev.key ?? '', schema: PredictionEventSchema, message: { eventId: ev.id, modelId: ev.message.modelId } });
      }
    },
  };

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    // The source topic accepts a 1.2 MB event; its DLQ has the broker's default limit (1 MiB),
    // so that event, once dead-lettered, is a row the broker will never accept.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: String(4 * 1024 * 1024) }] },
        { topic: dlq, numPartitions: 1, replicationFactor: 1 },
        { topic: out, numPartitions: 3, replicationFactor: 1 },
      ],
    });
    await admin.disconnect();
    db = await createTestDatabase('relay');
    ds = createServiceDataSource({ url: db.url, schema: 'relaytest' });
    await ds.initialize();
    await migrate(ds);
    consumer = new EventConsumer({ kafka, dataSource: ds, groupId: `relay-${run}`, handlers: [handler as EventHandler], outbox, txBatch: 100 });
    await consumer.start();
  });
  afterAll(async () => {
    await relay?.stop();
    await consumer?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  it('publishes a burst of 3 KiB dead letters over message.max.bytes, parks the one oversized row, loses and repeats nothing', async () => {
    // 600 dead letters of ~3.4 KiB (a 768-float embedding plus headers): ~2 MB, twice the
    // broker's limit; one of 1.2 MB in the middle; 100 valid events interleaved.
    const poisonIds: string[] = [];
    const fineIds: string[] = [];
    const bigId = `big-${run}`;
    const records = [];
    for (let i = 0; i < 700; i++) {
      const fine = i % 7 === 3;
      const id = `${fine ? 'fine' : 'poison'}-${i}-${run}`;
      (fine ? fineIds : poisonIds).push(id);
      const key = `model-${i % 5}`;
      records.push(eventRecord(PredictionEventSchema, { eventId: id, modelId: fine ? 'fine' : 'poison', embedding: embedding(768, i) }, { id, key }));
      if (i === 350)
        records.push(eventRecord(PredictionEventSchema, { eventId: bigId, modelId: 'poison', embedding: embedding(300_000, i) }, { id: bigId, key }));
    }
    expect(poisonIds.length).toBe(600);
    const producer = await testProducer(kafka);
    for (let i = 0; i < records.length; i += 50) await producer.send({ topic, messages: records.slice(i, i + 50) });
    await producer.disconnect();

    // Everything consumed and waiting in the outbox, as after a burst the relay has not caught up with.
    await eventually(async () => Number((await ds.query('SELECT count(*) AS n FROM outbox'))[0].n) === 701, '701 outbox rows', 120_000);

    relay = new OutboxRelay({ dataSource: ds, kafka, lockName: `relay-${run}`, batchSize: 500, pollMs: 20, metrics, logger });
    await relay.start();
    await untilOneLeft(ds, logger, 'the relay to publish every publishable row');

    // The oversized dead letter is parked, findable, counted and logged with topic, key and size.
    const parked = await ds.query('SELECT topic, msg_key, headers, octet_length(payload) AS size, status, parked_at FROM outbox');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ topic: dlq, status: 'oversize' });
    expect(parked[0].headers.ce_id).toBe(bigId);
    expect(parked[0].parked_at).toBeInstanceOf(Date);
    expect((await metrics.outboxParked.get()).values).toEqual([expect.objectContaining({ labels: { topic: dlq }, value: 1 })]);
    const logged = logger.lines.filter((l) => l.level === 'error').map((l) => JSON.stringify(l.entry));
    expect(logged).toEqual([expect.stringContaining(dlq)]);
    expect(logged[0]).toContain(`"key":"${parked[0].msg_key}"`);
    expect(logged[0]).toContain(`"bytes":${parked[0].size}`);

    // Every other dead letter reached the DLQ exactly once, in the order it was dead-lettered.
    const dead = await readTopic(kafka, dlq, 601, 20_000);
    const deadIds = dead.map((m) => m.headers.ce_id);
    expect(deadIds).toHaveLength(600);
    expect(new Set(deadIds)).toEqual(new Set(poisonIds));
    // Dead letters of one key come from one source partition: their offsets must rise.
    const byKey = new Map<string | null, number[]>();
    for (const m of dead) byKey.set(m.key, [...(byKey.get(m.key) ?? []), Number(m.headers['dlq-original-offset'])]);
    expect(byKey.size).toBe(5);
    for (const offsets of byKey.values()) expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    // ...and the other topic the service publishes kept flowing.
    const applied = await readTopic(kafka, out, 101, 10_000);
    const appliedIds = applied.map((m) => fromBinary(PredictionEventSchema, m.value as Buffer).eventId);
    expect(appliedIds).toHaveLength(100);
    expect(new Set(appliedIds)).toEqual(new Set(fineIds));
    expect(relay.healthy).toBe(true);
  });

  it('splits sends a topic with a lower max.message.bytes refuses, in order, and parks only the row too large for it', async () => {
    // 16 KiB per record batch on this topic: the relay's 512 KiB sends are refused whole, and a
    // refused request may have been written to some of its partitions before the resend.
    const small = `test.relay-${run}.small.v1`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: small, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '16384' }] }],
    });
    await admin.disconnect();
    const ds2 = createServiceDataSource({ url: db.url, schema: 'relaysmall' });
    await ds2.initialize();
    const metrics2 = new Metrics('relay-small');
    const logger2 = new CapturingLogger();
    const relay2 = new OutboxRelay({ dataSource: ds2, kafka, lockName: `relay-small-${run}`, batchSize: 500, pollMs: 20, metrics: metrics2, logger: logger2 });
    try {
      await migrate(ds2);
      const ids = Array.from({ length: 300 }, (_, i) => `row-${i}-${run}`);
      const bigId = `big-small-${run}`;
      await ds2.transaction(async (em) => {
        for (const [i, id] of ids.entries()) {
          await outbox.emit(em, {
            topic: small,
            key: `model-${i % 6}`,
            id,
            schema: PredictionEventSchema,
            message: { eventId: id, modelId: `model-${i % 6}`, embedding: embedding(768, i) },
          });
          if (i === 150)
            await outbox.emit(em, {
              topic: small,
              key: 'model-0',
              id: bigId,
              schema: PredictionEventSchema,
              message: { eventId: bigId, embedding: embedding(5000, i) },
            });
        }
      });
      await relay2.start();
      await untilOneLeft(ds2, logger2, 'the relay to publish the small topic');
      const left = await ds2.query(`SELECT headers->>'ce_id' AS id, status FROM outbox`);
      expect(left).toEqual([{ id: bigId, status: 'oversize' }]);
      expect((await metrics2.outboxParked.get()).values).toEqual([expect.objectContaining({ labels: { topic: small }, value: 1 })]);

      // Every row arrived (a resent one may arrive twice: consumers drop it by ce_id), and per key
      // the first arrivals keep the outbox order.
      const admin2 = kafka.admin();
      await admin2.connect();
      const total = (await admin2.fetchTopicOffsets(small)).reduce((n, p) => n + Number(p.high), 0);
      await admin2.disconnect();
      const got = await readTopic(kafka, small, total, 20_000);
      const firstSeen = [...new Set(got.map((m) => m.headers.ce_id))];
      expect([...firstSeen].sort()).toEqual([...ids].sort());
      for (let k = 0; k < 6; k++) {
        const ofKey = got.filter((m) => m.key === `model-${k}`).map((m) => m.headers.ce_id);
        expect([...new Set(ofKey)]).toEqual(ids.filter((_, i) => i % 6 === k));
      }
    } finally {
      await relay2.stop();
      await ds2.destroy();
    }
  });
});
