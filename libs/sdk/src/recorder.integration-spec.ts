/**
 * PredictionRecorder against the real Kafka broker (no mocks): what flush() promises is on the
 * shared prediction topic exactly once with the CloudEvents envelope, invalid events never
 * are, and overflow counts exactly what was dropped (checked both with a broker that refuses
 * connections and against what actually arrived). The topic is shared with other tests, so
 * every test writes under its own model id and reads back only that key.
 */
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { PredictionEvent, PredictionEventSchema, Topics } from '@labelloop/contracts';
import { eventually, testKafka } from '@labelloop/testing';
import { expectSameAsOldPath, oldPathAccepts, predictionArb } from '../test/predictions.factory';
import type { PredictionEventInit } from './encode';
import { PredictionRecorder, RecorderError } from './recorder';

const topic = Topics.predictionRecorded;
const brokers = () => (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

interface Read {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  event: PredictionEvent;
  partition: number;
  offset: number;
}

/**
 * Reads `topic` from the beginning with a fresh consumer group up to the high watermarks
 * taken now (so everything acknowledged before the call is seen, duplicates included), and
 * returns the records whose key is `modelId`.
 */
async function readModel(kafka: Kafka, modelId: string): Promise<Read[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const pending = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
  const out: Read[] = [];
  const consumer = kafka.consumer({ groupId: `sdk-reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  if (pending.size === 0) done();
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const offset = Number(message.offset);
      const end = ends.get(partition) ?? 0;
      if (offset >= end) return;
      if (message.key?.toString() === modelId) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(Array.isArray(v) ? v[0] : v);
        const value = message.value ?? Buffer.alloc(0);
        out.push({ key: message.key.toString(), value, headers, event: fromBinary(PredictionEventSchema, value), partition, offset });
      }
      if (offset === end - 1) {
        pending.delete(partition);
        if (pending.size === 0) done();
      }
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, no) => (timer = setTimeout(() => no(new Error(`reading ${topic} timed out`)), 120_000)));
  try {
    await Promise.race([finished, timeout]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return out;
}

/** An address on which nothing listens: connections are refused at once. */
async function refusingAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return `127.0.0.1:${port}`;
}

describe('PredictionRecorder (real Kafka)', () => {
  const run = randomUUID().slice(0, 8);
  const source = `test/sdk-${run}`;
  const kafka = testKafka();

  it('delivers every valid event exactly once with its envelope and key, and rejects the invalid ones', async () => {
    const modelId = `sdk-it-${run}`;
    const errors: RecorderError[] = [];
    const recorder = new PredictionRecorder({ brokers: brokers(), source, onError: (e) => errors.push(e) });
    const valid = new Map<string, number>(); // content hash -> expected event id ('' = generated)
    const invalid = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const contentHash = `sha256:${run}-${i}`;
      const bad = i % 10 === 3;
      // Every 50th valid event leaves the id empty: the recorder generates one.
      const eventId = i % 50 === 7 ? '' : randomUUID();
      const p: PredictionEventInit = {
        eventId,
        modelId,
        modelVersion: bad && i % 20 === 3 ? '' : 'v1',
        contentHash,
        predictedLabel: 'cat',
        confidence: bad && i % 20 === 13 ? 1.5 : (i % 100) / 100,
        numericFeatures: { i },
        embedding: [0.1, 0.2, 0.3, 0.4],
      };
      recorder.record(p);
      if (bad) invalid.add(contentHash);
      else valid.set(contentHash, i);
      // Let the sender run now and then, as a service between requests would.
      if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    }
    await recorder.flush();
    expect(recorder.stats()).toEqual({ recorded: 5000, sent: 4500, dropped: 0, rejected: 500, buffered: 0, sendErrors: 0 });
    expect(errors.filter((e) => e.kind === 'invalid')).toHaveLength(500);
    await recorder.close();

    const read = await readModel(kafka, modelId);
    const byHash = new Map<string, Read[]>();
    for (const r of read) byHash.set(r.event.contentHash, [...(byHash.get(r.event.contentHash) ?? []), r]);
    for (const h of invalid) expect(byHash.has(h)).toBe(false);
    expect(read).toHaveLength(4500);
    const ids = new Set<string>();
    for (const h of valid.keys()) {
      const got = byHash.get(h);
      expect(got).toHaveLength(1);
      const r = (got as Read[])[0];
      expect(r.key).toBe(modelId);
      expect(r.headers).toMatchObject({
        ce_id: r.event.eventId,
        ce_type: 'labelloop.inference.v1.PredictionEvent',
        ce_source: source,
        ce_specversion: '1.0',
        'content-type': 'application/protobuf',
      });
      expect(r.event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      ids.add(r.event.eventId);
    }
    expect(ids.size).toBe(4500);
    // One key, one partition, and in recording order.
    const order = read.map((r) => valid.get(r.event.contentHash) ?? -1);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('counts exactly what overflow dropped while the broker refuses connections', async () => {
    const errors: RecorderError[] = [];
    const recorder = new PredictionRecorder({
      brokers: [await refusingAddress()],
      source,
      maxBufferSize: 50,
      batchSize: 10,
      lingerMs: 5,
      onError: (e) => errors.push(e),
    });
    const registry = new Registry();
    recorder.registerMetrics(registry);
    const modelId = `sdk-it-refused-${run}`;
    const event = (i: number): PredictionEventInit => ({ eventId: `${run}-${i}`, modelId, modelVersion: 'v1', contentHash: `h${i}`, confidence: 0.5 });
    for (let i = 0; i < 300; i++) recorder.record(event(i));
    // Invalid, but dropped by the full buffer before the sender could validate them: counted as dropped.
    for (let i = 0; i < 20; i++) recorder.record({ ...event(1000 + i), modelId: '' });
    expect(recorder.stats()).toEqual({ recorded: 320, sent: 0, dropped: 270, rejected: 0, buffered: 50, sendErrors: 0 });

    // The sender keeps failing and retrying; the buffer stays at its bound meanwhile.
    await eventually(async () => recorder.stats().sendErrors >= 2, 'send errors against a refusing broker', 30_000, 50);
    expect(errors.find((e) => e.kind === 'send')?.message).toMatch(/ECONNREFUSED|Connection error|connect/i);
    for (let i = 300; i < 400; i++) recorder.record(event(i));
    expect(recorder.stats()).toMatchObject({ recorded: 420, sent: 0, dropped: 370, buffered: 50 });
    const text = await registry.metrics();
    expect(text).toContain('labelloop_sdk_events_dropped_total{reason="overflow"} 370');
    expect(text).toContain('labelloop_sdk_events_buffered 50');
    expect(errors.filter((e) => e.kind === 'overflow')).toHaveLength(1);

    // Closing with a deadline discards what is left, and says so in the counters.
    await recorder.close({ timeoutMs: 200 });
    expect(recorder.stats()).toMatchObject({ recorded: 420, sent: 0, dropped: 420, buffered: 0 });
    expect(await registry.metrics()).toContain('labelloop_sdk_events_dropped_total{reason="closed"} 50');
  });

  it('close() right after a burst of fuzzed events: every valid one is on the topic, bytes and headers as the old encode path gave', async () => {
    const modelId = `sdk-it-fuzz-${run}`;
    // The model id is fixed (the read-back goes by key); every other field is fuzzed, about one in four invalid.
    const events = fc.sample(predictionArb(fc.constant(modelId)), { numRuns: 3000, seed: 25 });
    const errors: RecorderError[] = [];
    const recorder = new PredictionRecorder({ brokers: brokers(), source, batchSize: 200, onError: (e) => errors.push(e) });
    const from = Date.now();
    for (const p of events) recorder.record(p);
    const to = Date.now();
    await recorder.close(); // no flush() first: close() must lose nothing
    const accepted = events.filter((p) => oldPathAccepts(p, source));
    expect(accepted.length).toBeGreaterThan(1500);
    expect(accepted.length).toBeLessThan(3000);
    expect(recorder.stats()).toEqual({ recorded: 3000, sent: accepted.length, dropped: 0, rejected: 3000 - accepted.length, buffered: 0, sendErrors: 0 });
    expect(errors.filter((e) => e.kind === 'invalid')).toHaveLength(3000 - accepted.length);
    const read = await readModel(kafka, modelId);
    expect(read).toHaveLength(accepted.length); // one key, one partition: in recording order
    read.forEach((r, i) => expectSameAsOldPath({ key: r.key ?? '', value: r.value, headers: r.headers }, accepted[i], source, from, to));
  });

  it('drop-oldest on the real broker: exactly the newest events arrive and the rest are counted', async () => {
    const modelId = `sdk-it-oldest-${run}`;
    const recorder = new PredictionRecorder({ brokers: brokers(), source, maxBufferSize: 100, batchSize: 30, overflow: 'drop-oldest' });
    const ids = Array.from({ length: 1000 }, (_, i) => `${run}-old-${i}`);
    // Synchronous burst: the sender cannot run in between, so the buffer keeps the last 100.
    for (const [i, eventId] of ids.entries()) recorder.record({ eventId, modelId, modelVersion: 'v1', contentHash: `h${i}`, confidence: 0.5 });
    expect(recorder.stats()).toMatchObject({ recorded: 1000, dropped: 900, buffered: 100 });
    await recorder.flush();
    expect(recorder.stats()).toMatchObject({ recorded: 1000, sent: 100, dropped: 900, buffered: 0 });
    await recorder.close();
    const read = await readModel(kafka, modelId);
    expect(read.map((r) => r.headers.ce_id)).toEqual(ids.slice(900));
  });
});
