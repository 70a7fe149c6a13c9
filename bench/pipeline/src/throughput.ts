/**
 * Stage throughput on the real broker, side by side with a bare kafkajs consumer reading the
 * same topic in the same run (the ratio is what to read; absolute numbers depend on the
 * machine). For each stage: events/s from a fresh consumer group at offset 0 to the end
 * offsets taken at the start, and the stage process's peak RSS (VmHWM). Run twice with N and
 * 10×N events to see whether memory stays flat as the stream grows.
 *
 *   npx tsc -b bench/pipeline && node bench/pipeline/dist/throughput.js [--events 20000] [--stages drift-detection,sampling]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka } from 'kafkajs';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { PredictionEventSchema, Topics } from '@labelloop/contracts';
import { createTestDatabase, ensureLocalInfra, ensureTopics, eventRecord, startService, testKafka, testProducer } from '@labelloop/testing';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  const offs = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return new Map(offs.map((o) => [o.partition, BigInt(o.high)]));
}

function total(m: Map<number, bigint>): number {
  return Number([...m.values()].reduce((a, b) => a + b, 0n));
}

/** A bare kafkajs consumer: decode nothing, commit nothing, just read to the end. */
async function bareConsumer(kafka: Kafka, topic: string, ends: Map<number, bigint>): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-bare-${randomUUID()}`, maxBytesPerPartition: 1024 * 1024, maxBytes: 8 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const remaining = new Map(ends);
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = remaining.get(batch.partition) ?? 0n;
        const last = BigInt(batch.lastOffset()) + 1n;
        if (last >= end) remaining.delete(batch.partition);
        if (remaining.size === 0) resolve();
      },
    });
    for (const [p, e] of ends) if (e === 0n) remaining.delete(p);
    if (remaining.size === 0) resolve();
  });
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.disconnect();
  return secs;
}

/** Runs one stage as its own process with a fresh group and database; time to reach the end offsets. */
async function stage(kafka: Kafka, name: string, topic: string, ends: Map<number, bigint>): Promise<{ secs: number; peakRssMb: number; txSecs: number; txCount: number }> {
  const db = await createTestDatabase('bench');
  const group = `bench-${name}-${randomUUID().slice(0, 8)}`;
  const svc = startService(name, { DATABASE_URL: db.url, KAFKA_GROUP_ID: group, CONSUMER_TX_BATCH: process.env.BENCH_TX_BATCH ?? '2000', LOG_LEVEL: 'warn', AUTH_TOKENS: '[]', SAMPLING_AUDIT_RATE: '0.01' });
  await svc.ready;
  const admin = kafka.admin();
  await admin.connect();
  const started = process.hrtime.bigint();
  for (;;) {
    const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const done = committed[0].partitions.every((p) => BigInt(p.offset === '-1' ? '0' : p.offset) >= (ends.get(p.partition) ?? 0n));
    if (done) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  // Time spent inside the stage's batch transactions (from its own Prometheus metrics).
  const metrics = await (await fetch(`http://127.0.0.1:${(await svc.ready).httpPort}/metrics`)).text();
  const txSecs = Number(/labelloop_event_processing_seconds_sum\{[^}]*topic="labelloop.prediction.recorded.v1"[^}]*\} ([\d.e+-]+)/.exec(metrics)?.[1] ?? NaN);
  const txCount = Number(/labelloop_event_processing_seconds_count\{[^}]*topic="labelloop.prediction.recorded.v1"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? NaN);
  const status = readFileSync(`/proc/${svc.proc.pid}/status`, 'utf8');
  const peakRssMb = Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
  await admin.disconnect();
  await svc.kill('SIGTERM');
  await db.drop();
  return { secs, peakRssMb, txSecs, txCount };
}

async function main(): Promise<void> {
  const events = Number(arg('events', '20000'));
  const stages = arg('stages', 'drift-detection,sampling').split(',');
  const { brokers } = ensureLocalInfra();
  await ensureTopics(brokers.split(','));
  const kafka = testKafka('bench');
  const topic = Topics.predictionRecorded;

  // Fill the topic: one model's stream with 5 numeric, 1 categorical feature and an 8-d embedding.
  const run = randomUUID().slice(0, 8);
  const producer = await testProducer(kafka);
  const rnd = (i: number, k: number) => Math.abs((Math.sin(i * 12.9898 + k * 78.233) * 43758.5453) % 1);
  for (let i = 0; i < events; i += 2000) {
    const messages = Array.from({ length: Math.min(2000, events - i) }, (_, j) => {
      const n = i + j;
      return eventRecord(
        PredictionEventSchema,
        {
          eventId: `${run}-${n}`,
          modelId: `bench-${run}-${n % 4}`,
          modelVersion: '1',
          timestamp: timestampFromDate(new Date()),
          contentHash: `sha256:${run}-${n}`,
          inputUri: `bench://${run}/${n}`,
          predictedLabel: rnd(n, 9) < 0.3 ? 'spam' : 'ham',
          confidence: 0.5 + 0.5 * rnd(n, 10),
          numericFeatures: Object.fromEntries([0, 1, 2, 3, 4].map((k) => [`f${k}`, rnd(n, k)])),
          categoricalFeatures: { region: ['eu', 'us', 'apac'][n % 3] },
          embedding: Array.from({ length: 8 }, (_, k) => rnd(n, 20 + k)),
        },
        { key: `bench-${run}-${n % 4}` },
      );
    });
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
  const ends = await endOffsets(kafka, topic);
  const n = total(ends);
  console.log(`topic ${topic}: ${n} events in total (${events} written by this run)`);

  const bareSecs = await bareConsumer(kafka, topic, ends);
  const bareRate = n / bareSecs;
  console.log(`bare kafkajs consumer: ${bareRate.toFixed(0)} events/s (${bareSecs.toFixed(2)} s)`);
  for (const name of stages) {
    const r = await stage(kafka, name, topic, ends);
    const rate = n / r.secs;
    console.log(`${name}: ${rate.toFixed(0)} events/s (${r.secs.toFixed(2)} s), ratio to bare consumer ${(rate / bareRate).toFixed(3)}, peak RSS ${r.peakRssMb.toFixed(0)} MiB; ${r.txCount} transactions, ${r.txSecs.toFixed(2)} s inside them`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
