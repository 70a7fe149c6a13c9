/**
 * EventConsumer against the real Kafka broker and real PostgreSQL (no mocks):
 * redelivery has no second effect, poison messages go to the DLQ with a reason while the
 * partition keeps flowing, and outbox events are published exactly once per commit. Each case
 * runs with the inbox row per event, with the compact inbox, and with the compact inbox and
 * small fetches coalesced into transactions (as drift detection runs).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PredictionEvent, PredictionEventSchema } from '@labelloop/contracts';
import { createServiceDataSource, DataSource, EntityManager, migrate } from '@labelloop/persistence';
import { createTestTopics, eventRecord, eventually, readTopic, testKafka, testProducer } from '@labelloop/testing';
import { Metrics } from '@labelloop/observability';
import { ConsumedEvent, EventConsumer, EventHandler } from './event-consumer';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { PoisonMessageError } from './errors';

class EffectTable1700000000000 implements MigrationInterface {
  name = 'EffectTable1700000000000';
  async up(qr: QueryRunner) {
    // Deliberately no unique constraint: a double effect must be visible as two rows.
    // `score real`: a finite double beyond 3.4e38 passes validation, but PostgreSQL refuses it
    // (SQLSTATE 22003), as a column narrower than the contract's field does.
    await qr.query('CREATE TABLE effect (event_id text NOT NULL, model_id text NOT NULL, score real)');
  }
  async down(qr: QueryRunner) {
    await qr.query('DROP TABLE effect');
  }
}

describe.each([
  { inbox: 'rows', coalesce: false },
  { inbox: 'chunks', coalesce: false },
  { inbox: 'chunks', coalesce: true },
] as const)('EventConsumer, inbox $inbox, coalesce $coalesce (real Kafka + PostgreSQL)', ({ inbox, coalesce }) => {
  const run = randomUUID().slice(0, 8);
  const topic = `test.messaging-${run}.recorded.v1`;
  const echoTopic = `test.messaging-${run}.echoed.v1`;
  const groupId = `test-${run}`;
  const kafka = testKafka();
  let ds: DataSource;
  let consumer: EventConsumer;
  let relay: OutboxRelay;
  const metrics = new Metrics('messaging-test');
  const outbox = new Outbox('labelloop/test');

  const handler: EventHandler<typeof PredictionEventSchema> = {
    topic,
    schema: PredictionEventSchema,
    validate: (e) => (e.modelId ? undefined : 'model_id is required'),
    async handle(events: ConsumedEvent<PredictionEvent>[], em: EntityManager) {
      transactions.push(events.map((ev) => ev.message.modelId));
      for (const ev of events) {
        if (ev.message.modelId === 'explode') throw new PoisonMessageError(ev.id, 'handler refused model "explode"');
        await em.query('INSERT INTO effect (event_id, model_id, score) VALUES ($1, $2, $3)', [
          ev.id,
          ev.message.modelId,
          ev.message.numericFeatures.score ?? null,
        ]);
        await outbox.emit(em, {
          topic: echoTopic,
          key: ev.message.modelId,
          schema: PredictionEventSchema,
          message: ev.message,
          id: `echo:${ev.id}`,
          traceparent: ev.traceparent,
        });
      }
    },
  };

  /** The model ids each handle() call got (one call per transaction). */
  const transactions: string[][] = [];
  // Coalescing: fetches of 4 KiB (about 15 of these events) gathered into transactions of 50.
  const newConsumer = (m = metrics) =>
    new EventConsumer({
      kafka,
      dataSource: ds,
      groupId,
      handlers: [handler as EventHandler],
      outbox,
      txBatch: 50,
      metrics: m,
      inbox,
      coalesce,
      maxBytesPerPartition: coalesce ? 4096 : undefined,
    });

  beforeAll(async () => {
    await createTestTopics(kafka, [topic, echoTopic]);
    ds = createServiceDataSource({ url: process.env.DATABASE_URL!, schema: `msgtest_${run}`, migrations: [EffectTable1700000000000] });
    await ds.initialize();
    await migrate(ds);
    consumer = newConsumer();
    relay = new OutboxRelay({ dataSource: ds, kafka, lockName: `test-${run}`, batchSize: 100, pollMs: 20, metrics });
    await consumer.start();
    await relay.start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await relay?.stop();
    await ds?.query(`DROP SCHEMA "msgtest_${run}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
  });

  const effects = async (): Promise<{ event_id: string; model_id: string }[]> => ds.query('SELECT event_id, model_id FROM effect ORDER BY event_id');

  it('applies a redelivered event once, and publishes its outbox event once, in the same trace', async () => {
    const producer = await testProducer(kafka);
    const traceparent = `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`;
    const rec = eventRecord(PredictionEventSchema, { eventId: 'e1', modelId: 'm-redeliver' }, { key: 'm-redeliver', traceparent });
    await producer.send({ topic, messages: [rec] });
    await eventually(async () => (await effects()).some((r) => r.model_id === 'm-redeliver'), 'first effect');
    // The same event again (a producer retry / redelivery after a lost offset commit).
    await producer.send({ topic, messages: [rec, rec] });
    const marker = eventRecord(PredictionEventSchema, { eventId: 'e2', modelId: 'm-after' }, { key: 'm-redeliver' });
    await producer.send({ topic, messages: [marker] });
    await eventually(async () => (await effects()).some((r) => r.model_id === 'm-after'), 'marker effect');
    await producer.disconnect();

    const rows = (await effects()).filter((r) => r.model_id === 'm-redeliver');
    expect(rows).toHaveLength(1);
    const echoed = await readTopic(kafka, echoTopic, 2, 15_000);
    const ids = echoed.map((m) => m.headers.ce_id);
    expect(ids.filter((id) => id === `echo:${rec.headers.ce_id}`)).toHaveLength(1);
    // No span exporter in this process: the effect carries the producer's trace context on as it came.
    expect(echoed.find((m) => m.headers.ce_id === `echo:${rec.headers.ce_id}`)?.headers.traceparent).toBe(traceparent);
  });

  it('sends poison messages to the DLQ with a reason and keeps the partition flowing', async () => {
    const producer = await testProducer(kafka);
    const key = 'same-partition';
    const good1 = eventRecord(PredictionEventSchema, { eventId: 'g1', modelId: 'good-1' }, { key });
    const undecodable = { ...eventRecord(PredictionEventSchema, { eventId: 'x' }, { key }), value: Buffer.from([0xff, 0xff, 0xff, 0x01]) };
    const wrongType = eventRecord(PredictionEventSchema, { eventId: 'w', modelId: 'm' }, { key });
    wrongType.headers.ce_type = 'labelloop.inference.v9.SomethingElse';
    const noEnvelope = { key, value: Buffer.from('not an event'), headers: {} };
    const invalid = eventRecord(PredictionEventSchema, { eventId: 'i', modelId: '' }, { key });
    const refused = eventRecord(PredictionEventSchema, { eventId: 'r', modelId: 'explode' }, { key });
    const good2 = eventRecord(PredictionEventSchema, { eventId: 'g2', modelId: 'good-2' }, { key });
    await producer.send({ topic, messages: [good1, undecodable, wrongType, noEnvelope, invalid, refused, good2] });
    await producer.disconnect();

    await eventually(async () => (await effects()).some((r) => r.model_id === 'good-2'), 'message after the poison ones');
    expect(
      (await effects())
        .filter((r) => r.model_id.startsWith('good-'))
        .map((r) => r.model_id)
        .sort(),
    ).toEqual(['good-1', 'good-2']);
    expect((await effects()).some((r) => r.model_id === 'explode')).toBe(false);

    const dlq = await readTopic(kafka, `${topic}.dlq`, 5, 20_000);
    const reasons = dlq.map((m) => m.headers['dlq-reason']);
    expect(reasons).toHaveLength(5);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/undecodable protobuf/),
        expect.stringMatching(/unexpected event type "labelloop.inference.v9.SomethingElse"/),
        expect.stringMatching(/missing ce_id/),
        expect.stringMatching(/invalid: model_id is required/),
        expect.stringMatching(/handler refused model "explode"/),
      ]),
    );
    for (const m of dlq) {
      expect(m.headers['dlq-original-topic']).toBe(topic);
      expect(m.headers['dlq-original-offset']).toMatch(/^\d+$/);
    }
    // The dead letter keeps the original bytes, so it can be replayed after a fix.
    const undecodableDlq = dlq.find((m) => /undecodable/.test(m.headers['dlq-reason']));
    expect(undecodableDlq!.value).toEqual(Buffer.from([0xff, 0xff, 0xff, 0x01]));
  });

  it('dead-letters an event the database refuses (SQLSTATE 22003) with its SQLSTATE, applies the rest, and stays ready', async () => {
    // Before: any error but PoisonMessageError was retried forever; the partition stopped here.
    const producer = await testProducer(kafka);
    const key = 'same-partition';
    const recs = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
      eventRecord(PredictionEventSchema, { eventId: `db-${i}`, modelId: `db-${i}`, numericFeatures: { score: i === 2 || i === 6 ? 1e300 : i } }, { key }),
    );
    await producer.send({ topic, messages: recs });
    await producer.disconnect();
    await eventually(async () => (await effects()).some((r) => r.model_id === 'db-7'), 'the event after the refused ones', 60_000);
    expect(
      (await effects())
        .filter((r) => r.model_id.startsWith('db-'))
        .map((r) => r.model_id)
        .sort(),
    ).toEqual(['db-0', 'db-1', 'db-3', 'db-4', 'db-5', 'db-7']);
    const dlq = (await readTopic(kafka, `${topic}.dlq`, 7, 20_000)).filter((m) => m.headers['dlq-sqlstate']);
    expect(dlq.map((m) => m.headers.ce_id).sort()).toEqual([recs[2].headers.ce_id, recs[6].headers.ce_id].sort());
    for (const m of dlq) {
      expect(m.headers['dlq-sqlstate']).toBe('22003');
      expect(m.headers['dlq-reason']).toMatch(/SQLSTATE 22003.*out of range for type real/);
    }
    expect(consumer.healthy).toBe(true);
  });

  it('dead-letters NUL bytes, extreme timestamps and oversized maps, keeping every byte of the dead letter', async () => {
    const producer = await testProducer(kafka);
    const key = 'same-partition';
    const nulId = eventRecord(PredictionEventSchema, { eventId: 'nul-id', modelId: 'nul-id' }, { key });
    nulId.headers.ce_id = 'ab\u0000cd';
    const nulKey = {
      ...eventRecord(PredictionEventSchema, { eventId: 'nul-key', modelId: 'nul-key', predictedLabel: 'spam\u0000' }, { key }),
      key: 'k\u0000ey',
    };
    const recs = [
      eventRecord(PredictionEventSchema, { eventId: 'hx-1', modelId: 'hostile-1' }, { key }),
      eventRecord(PredictionEventSchema, { eventId: 'nul-feature', modelId: 'nul-feature', categoricalFeatures: { country: 'd\u0000e' } }, { key }),
      nulId,
      nulKey,
      eventRecord(PredictionEventSchema, { eventId: 'far-time', modelId: 'far-time', timestamp: { seconds: 10_000_000_000_000n, nanos: 0 } }, { key }),
      eventRecord(
        PredictionEventSchema,
        { eventId: 'wide', modelId: 'wide', numericFeatures: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, i])) },
        { key },
      ),
      eventRecord(PredictionEventSchema, { eventId: 'hx-2', modelId: 'hostile-2' }, { key }),
    ];
    const [{ baseOffset }] = await producer.send({ topic, messages: recs });
    await producer.disconnect();
    await eventually(async () => (await effects()).some((r) => r.model_id === 'hostile-2'), 'the event after the hostile ones', 60_000);
    expect(
      (await effects())
        .filter((r) => /^(hostile|nul|far|wide)/.test(r.model_id))
        .map((r) => r.model_id)
        .sort(),
    ).toEqual(['hostile-1', 'hostile-2']);
    const base = Number(baseOffset);
    const dead = (await readTopic(kafka, `${topic}.dlq`, 12, 20_000)).filter(
      (m) => Number(m.headers['dlq-original-offset']) > base && Number(m.headers['dlq-original-offset']) < base + 6,
    );
    const reasons = dead
      .sort((a, b) => Number(a.headers['dlq-original-offset']) - Number(b.headers['dlq-original-offset']))
      .map((m) => m.headers['dlq-reason']);
    expect(reasons).toEqual([
      'invalid: categorical_features.country contains a NUL character (U+0000)',
      'ce_id contains a NUL character (U+0000)',
      'invalid: predicted_label contains a NUL character (U+0000)',
      'invalid: timestamp is out of range (10000000000000 s; allowed 1970-01-01 to 9999-12-31)',
      'invalid: numeric_features has more than 10000 entries',
    ]);
    // The NUL-bearing header and key travel in base64, named, so nothing of the original is lost.
    const idLetter = dead[1];
    expect(idLetter.headers['dlq-base64-headers']).toBe('ce_id');
    expect(Buffer.from(idLetter.headers.ce_id, 'base64').toString('utf8')).toBe('ab\u0000cd');
    expect(Buffer.from(dead[2].headers['dlq-original-key-base64'], 'base64').toString('utf8')).toBe('k\u0000ey');
    expect(dead[4].value).toEqual(recs[5].value);
    expect(consumer.healthy).toBe(true);
  });

  it('accounts for every message of a fuzzed stream: applied once, or dead-lettered with a reason (fast-check, fixed seed)', async () => {
    // 300 messages on one partition: valid events, and events with flipped bits, truncated or
    // random payloads, missing or garbled CloudEvents headers, or no value at all; hostile
    // values too: a NUL in a feature, label, metadata or ce_id, a timestamp out of range, a
    // map over its size, a number the database refuses (SQLSTATE 22003). Which
    // mutated payloads still decode is not predictable, so the test checks the invariant:
    // each message is exactly one effect or exactly one dead letter, and every unmutated
    // event is applied.
    const key = 'same-partition';
    const N = 300;
    const garble = fc.oneof(fc.string({ maxLength: 40 }), fc.constant(''), fc.constant('1.0'), fc.constant(PredictionEventSchema.typeName));
    const kind = fc.record({
      mutation: fc.constantFrom(
        'none',
        'none',
        'flip',
        'truncate',
        'random',
        'drop-header',
        'garble-header',
        'no-value',
        'no-id',
        'nul',
        'far-time',
        'wide',
        'db-refused',
      ),
      nulIn: fc.constantFrom('feature', 'label', 'metadata', 'ce_id'),
      seconds: fc.oneof(fc.bigInt({ min: -(10n ** 15n), max: -1n }), fc.bigInt({ min: 253_402_300_800n, max: 10n ** 15n })),
      modelId: fc.string({ minLength: 0, maxLength: 12 }),
      flips: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      cut: fc.nat(),
      bytes: fc.uint8Array({ maxLength: 64 }),
      header: fc.constantFrom('ce_source', 'ce_specversion', 'ce_type', 'content-type'),
      value: garble,
    });
    const plans = fc.sample(kind, { seed: 20261123, numRuns: N });
    const messages = plans.map((p, i) => {
      const id = `fuzz-${run}-${i}`;
      const hostile = {
        nul:
          p.nulIn === 'feature'
            ? { categoricalFeatures: { c: `x\u0000${p.modelId}` } }
            : p.nulIn === 'label'
              ? { predictedLabel: '\u0000' }
              : p.nulIn === 'metadata'
                ? { metadata: { [`m\u0000`]: 'v' } }
                : {},
        'far-time': { timestamp: { seconds: p.seconds, nanos: 0 } },
        wide: { numericFeatures: Object.fromEntries(Array.from({ length: 10_001 }, (_, j) => [`f${j}`, j])) },
        'db-refused': { numericFeatures: { score: 1e300 } },
      }[p.mutation as string];
      const rec: { key: string; value: Buffer | null; headers: Record<string, string> } = eventRecord(
        PredictionEventSchema,
        { eventId: id, modelId: p.mutation === 'none' ? `fz-${p.modelId}` : hostile ? `hx-${p.modelId}` : p.modelId, confidence: 0.5, ...hostile },
        { id, key },
      );
      if (p.mutation === 'nul' && p.nulIn === 'ce_id') rec.headers.ce_id = `${id}\u0000`;
      const v = rec.value!;
      if (p.mutation === 'flip') for (const f of p.flips) v[f % v.length] ^= 1 << (f % 8);
      if (p.mutation === 'truncate') rec.value = v.subarray(0, p.cut % v.length);
      if (p.mutation === 'random') rec.value = Buffer.from(p.bytes);
      if (p.mutation === 'drop-header') delete rec.headers[p.header];
      if (p.mutation === 'garble-header') rec.headers[p.header] = p.value;
      if (p.mutation === 'no-value') rec.value = null;
      if (p.mutation === 'no-id') delete rec.headers.ce_id;
      return rec;
    });
    const producer = await testProducer(kafka);
    // A few at a time: a request carrying several of the oversized maps would pass the broker's
    // message.max.bytes (1 MiB). One producer, one partition: the offsets follow on.
    let baseOffset = '';
    for (let i = 0; i < messages.length; i += 4) {
      const [sent] = await producer.send({ topic, messages: messages.slice(i, i + 4) });
      baseOffset ||= sent.baseOffset ?? '';
    }
    const marker = eventRecord(PredictionEventSchema, { eventId: 'fz-end', modelId: 'fuzz-end' }, { key });
    await producer.send({ topic, messages: [marker] });
    await producer.disconnect();
    await eventually(async () => (await effects()).some((r) => r.model_id === 'fuzz-end'), 'the marker after the fuzzed messages', 120_000);

    const base = Number(baseOffset);
    const applied = (await effects())
      .map((r) => r.event_id)
      .filter((id) => id.startsWith(`fuzz-${run}-`))
      .map((id) => Number(id.split('-').pop()));
    // Dead letters go out through the relay: wait for the count the invariant predicts (the 12 are the earlier tests').
    const dead = (await readTopic(kafka, `${topic}.dlq`, 12 + N - applied.length, 30_000))
      .filter((m) => Number(m.headers['dlq-original-offset']) >= base && Number(m.headers['dlq-original-offset']) < base + N)
      .map((m) => ({ index: Number(m.headers['dlq-original-offset']) - base, reason: m.headers['dlq-reason'] }));
    expect(new Set(applied).size).toBe(applied.length); // no double effect
    expect(new Set(dead.map((d) => d.index)).size).toBe(dead.length); // no double dead letter
    expect(applied.filter((i) => dead.some((d) => d.index === i))).toEqual([]); // never both
    expect([...applied, ...dead.map((d) => d.index)].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i)); // none lost
    for (const d of dead) expect(d.reason).toMatch(/\S/);
    const unmutated = plans.flatMap((p, i) => (p.mutation === 'none' ? [i] : []));
    expect(unmutated.length).toBeGreaterThan(30);
    expect(unmutated.filter((i) => !applied.includes(i))).toEqual([]);
    // Every hostile value is dead-lettered, never applied, and the partition flowed on (the marker).
    const hostileKinds = ['nul', 'far-time', 'wide', 'db-refused'];
    const hostile = plans.flatMap((p, i) => (hostileKinds.includes(p.mutation) ? [i] : []));
    expect(hostile.length).toBeGreaterThan(40);
    expect(hostile.filter((i) => applied.includes(i))).toEqual([]);
    const refused = plans.flatMap((p, i) => (p.mutation === 'db-refused' ? [i] : []));
    expect(refused.filter((i) => !/SQLSTATE 22003/.test(dead.find((d) => d.index === i)?.reason ?? ''))).toEqual([]);
    expect(consumer.healthy).toBe(true);
    const noId = plans.flatMap((p, i) => (p.mutation === 'no-id' ? [i] : []));
    expect(noId.filter((i) => !/missing ce_id/.test(dead.find((d) => d.index === i)?.reason ?? ''))).toEqual([]);
  });
  it('after a restart that redelivers every offset, applies nothing again, and recognises a re-sent event', async () => {
    const key = 'restart';
    const recs = Array.from({ length: 20 }, (_, i) => eventRecord(PredictionEventSchema, { eventId: `rs-${run}-${i}`, modelId: `restart-${i}` }, { key }));
    const producer = await testProducer(kafka);
    await producer.send({ topic, messages: recs });
    await eventually(async () => (await effects()).filter((r) => r.model_id.startsWith('restart-')).length === 20, 'first pass');
    // Every message of a topic (readTopic stops at the count, or here at the timeout).
    const all = async (t: string, ms: number) => (await readTopic(kafka, t, Number.MAX_SAFE_INTEGER, ms)).length;
    const deadBefore = await all(`${topic}.dlq`, 5_000);
    const echoedBefore = await all(echoTopic, 5_000);
    expect(echoedBefore).toBeGreaterThan(20);

    // A new process (nothing in memory), and Kafka has forgotten how far the group got: every
    // message of every earlier test is delivered again. The producer also re-sends two events.
    await consumer.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId, topic, earliest: true });
    await admin.disconnect();
    consumer = newConsumer();
    await consumer.start();
    await producer.send({ topic, messages: [recs[3], recs[17]] });
    await producer.send({ topic, messages: [eventRecord(PredictionEventSchema, { eventId: `rs-${run}-end`, modelId: 'restart-end' }, { key })] });
    await producer.disconnect();
    await eventually(async () => (await effects()).some((r) => r.model_id === 'restart-end'), 'marker after the replayed topic', 60_000);

    const perEvent = new Map<string, number>();
    for (const r of await effects()) perEvent.set(r.event_id, (perEvent.get(r.event_id) ?? 0) + 1);
    expect(perEvent.size).toBeGreaterThan(50);
    expect([...perEvent].filter(([, n]) => n !== 1)).toEqual([]);
    // Nothing dead-lettered or emitted a second time (the relay has had the marker's echo to send).
    expect(await all(echoTopic, 10_000)).toBe(echoedBefore + 1);
    expect(await all(`${topic}.dlq`, 5_000)).toBe(deadBefore);
    // labelloop_events_consumed_total counts each committed effect once, across the restart.
    const consumed = (await metrics.eventsConsumed.get()).values.find((v) => v.labels.topic === topic)?.value;
    expect(consumed).toBe((await effects()).length);
    // The compact inbox keeps no row per event.
    const rows = Number((await ds.query('SELECT count(*) AS n FROM inbox'))[0].n);
    if (inbox === 'chunks') expect(rows).toBe(0);
    else expect(rows).toBeGreaterThan(300);
  });
  it('with two replicas in the group and one leaving mid-stream, applies every event once', async () => {
    // 3 partitions (createTestTopics), 60 keys, 3,000 events; a second consumer joins, takes
    // partitions over, and stops while the stream is still flowing.
    const N = 3000;
    const recs = Array.from({ length: N }, (_, i) =>
      eventRecord(PredictionEventSchema, { eventId: `rp-${run}-${i}`, modelId: `replica-${i}` }, { key: `k${i % 60}` }),
    );
    const secondMetrics = new Metrics('messaging-test-second');
    const second = newConsumer(secondMetrics);
    const producer = await testProducer(kafka);
    await producer.send({ topic, messages: recs.slice(0, 1000) });
    await second.start();
    await producer.send({ topic, messages: recs.slice(1000, 2000) });
    await eventually(async () => Number((await ds.query(`SELECT count(*) AS n FROM effect WHERE model_id LIKE 'replica-%'`))[0].n) >= 1500, 'half the stream');
    await second.stop();
    await producer.send({ topic, messages: recs.slice(2000) });
    await producer.disconnect();
    await eventually(
      async () => Number((await ds.query(`SELECT count(DISTINCT event_id) AS n FROM effect WHERE model_id LIKE 'replica-%'`))[0].n) === N,
      'every event applied',
      60_000,
    );
    const [{ n }] = await ds.query(`SELECT count(*) AS n FROM effect WHERE model_id LIKE 'replica-%'`);
    expect(Number(n)).toBe(N);
    // The second replica did take part.
    expect((await secondMetrics.eventsConsumed.get()).values.find((v) => v.labels.topic === topic)?.value ?? 0).toBeGreaterThan(0);
  });
  if (coalesce) {
    it('gathers small fetches into transactions of txBatch events, and tells Kafka the end offset once caught up', async () => {
      const N = 200;
      const recs = Array.from({ length: N }, (_, i) =>
        eventRecord(PredictionEventSchema, { eventId: `co-${run}-${i}`, modelId: `coalesce-${i}` }, { key: 'coalesce' }),
      );
      const producer = await testProducer(kafka);
      const sent = await producer.send({ topic, messages: recs });
      await producer.disconnect();
      await eventually(async () => (await effects()).filter((r) => r.model_id.startsWith('coalesce-')).length === N, 'every event applied', 60_000);
      const sizes = transactions.map((t) => t.filter((m) => m.startsWith('coalesce-')).length).filter((n) => n > 0);
      // A 4 KiB fetch holds about 15 of these events; the transactions were full but for the last.
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(N);
      expect(sizes.slice(0, -1).every((n) => n === 50)).toBe(true);
      expect(sizes.length).toBeLessThanOrEqual(5);
      // The group's committed offset reaches the partition's end: lag monitoring reads 0.
      const end = BigInt(sent[0].baseOffset) + BigInt(N);
      const admin = kafka.admin();
      await admin.connect();
      try {
        await eventually(
          async () => {
            const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
            return t.partitions.some((p) => p.partition === sent[0].partition && BigInt(p.offset) === end);
          },
          'committed offset at the end of the partition',
          15_000,
        );
      } finally {
        await admin.disconnect();
      }
    });

    it('applies the messages a fetch ended with within the linger, while an open producer transaction holds the partition back', async () => {
      // Read-committed fetches stop at the open transaction: the partition is not caught up
      // (its high watermark is past the transaction's message) and no fetch brings more until
      // the transaction ends. The 5 events before it must not wait for that.
      const key = 'linger';
      const partition = 0;
      // Written while no consumer runs, so its first fetch meets both.
      await consumer.stop();
      const producer = await testProducer(kafka);
      await producer.send({
        topic,
        messages: Array.from({ length: 5 }, (_, i) => ({
          ...eventRecord(PredictionEventSchema, { eventId: `lg-${run}-${i}`, modelId: `linger-${i}` }, { key }),
          partition,
        })),
      });
      const txProducer = kafka.producer({ transactionalId: `test-${run}-linger`, idempotent: true, maxInFlightRequests: 1 });
      await txProducer.connect();
      const tx = await txProducer.transaction();
      try {
        await tx.send({ topic, messages: [{ ...eventRecord(PredictionEventSchema, { eventId: `lg-${run}-tx`, modelId: 'linger-tx' }, { key }), partition }] });
        consumer = newConsumer();
        await consumer.start();
        await eventually(
          async () => (await effects()).filter((r) => r.model_id.startsWith('linger-')).length === 5,
          'the 5 events before the open transaction',
          20_000,
        );
        expect((await effects()).some((r) => r.model_id === 'linger-tx')).toBe(false);
      } finally {
        await tx.abort();
        await txProducer.disconnect();
        await producer.disconnect();
      }
    });
  }
});
