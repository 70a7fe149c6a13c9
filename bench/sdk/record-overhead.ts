/**
 * What `PredictionRecorder.record()` costs an inference service, and what it sustains to Kafka.
 *
 * 1. Per-call overhead: batches of CHUNK calls timed with process.hrtime.bigint(), alternating
 *    a baseline loop (build the plain JS prediction object only) with the same loop plus
 *    `record()`, in the same run. Reports ns/call p50/p99/mean of both and their ratio,
 *    plus a breakdown of the steps record() takes.
 * 2. End-to-end: EVENTS records as fast as the sender keeps up, then flush(): events/s
 *    acknowledged by the real broker (acks=all).
 *
 * Writes to its own topic (created and deleted here), never to the shared prediction topic.
 * Run: see bench/sdk/README.md. Settings: KAFKA_BROKERS, BENCH_EVENTS (default 200000).
 */
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { Kafka, logLevel } from 'kafkajs';
import { PredictionEventSchema, validatePredictionEvent } from '@labelloop/contracts';
import { envelopeHeaders } from '@labelloop/messaging';
import { PredictionEventInit, PredictionRecorder, RecorderError } from '@labelloop/sdk';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const CHUNK = 1000;
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const MODELS = ['bench-model-a', 'bench-model-b', 'bench-model-c', 'bench-model-d'];
const EMBEDDING = Array.from({ length: 16 }, (_, i) => i / 16);

/** A realistic prediction as a service would build it (the id and timestamp left to the SDK). */
function makePrediction(i: number): PredictionEventInit {
  return {
    modelId: MODELS[i & 3],
    modelVersion: '2024-06-01',
    inputUri: `s3://bench/inputs/${i}.jpg`,
    contentHash: `sha256:${i}`,
    numericFeatures: { width: 640, height: 480, brightness: (i % 97) / 97, latencyMs: 12 },
    categoricalFeatures: { region: 'eu-west-1' },
    embedding: EMBEDDING,
    predictedLabel: 'cat',
    classProbabilities: { cat: 0.8, dog: 0.2 },
    confidence: 0.8,
  };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
};
const fmt = (ns: number) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const yieldToLoop = () => new Promise((r) => setImmediate(r));

/** Mean ns/call of `fn` over `n` calls, after a warm-up. */
function timeIt(fn: (i: number) => unknown, n = 20_000): number {
  for (let i = 0; i < 2000; i++) fn(i);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t) / n;
}

async function main(): Promise<void> {
  const topic = `bench.sdk-${randomUUID().slice(0, 8)}.recorded.v1`;
  const admin = new Kafka({ clientId: 'bench-sdk', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
  console.log(`node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}; broker ${BROKERS.join(',')}; topic ${topic}`);
  console.log(`${EVENTS} events per phase, ${CHUNK} calls per timing sample\n`);
  const errors: string[] = [];
  const onError = (e: RecorderError) => void (errors.length < 5 && errors.push(`${e.kind}: ${e.message}`));
  try {
    // ---- 1. per-call overhead, baseline and record() side by side ----
    const rec1 = new PredictionRecorder({ brokers: BROKERS, source: 'bench/sdk', topic, onError });
    let sink = 0;
    const base: number[] = [];
    const withRecord: number[] = [];
    const runBase = (from: number) => {
      const t = process.hrtime.bigint();
      for (let i = from; i < from + CHUNK; i++) sink += makePrediction(i).confidence ?? 0;
      return Number(process.hrtime.bigint() - t) / CHUNK;
    };
    const runRecord = (from: number) => {
      const t = process.hrtime.bigint();
      for (let i = from; i < from + CHUNK; i++) rec1.record(makePrediction(i));
      return Number(process.hrtime.bigint() - t) / CHUNK;
    };
    const warmup = 20 * CHUNK;
    const letSenderWork = async () => {
      while (rec1.stats().buffered > 5000) await yieldToLoop();
      await yieldToLoop();
    };
    for (let i = 0; i < warmup; i += CHUNK) {
      runBase(i);
      runRecord(i);
      await letSenderWork();
    }
    for (let k = 0, i = warmup; i < warmup + EVENTS; k++, i += CHUNK) {
      // Alternate which loop goes first so neither always runs right after a GC or a send.
      if (k % 2 === 0) {
        base.push(runBase(i));
        withRecord.push(runRecord(i));
      } else {
        withRecord.push(runRecord(i));
        base.push(runBase(i));
      }
      // Untimed: let the sender work, as a service would between requests (no overflow here).
      await letSenderWork();
    }
    await rec1.close();
    const b = summary(base);
    const r = summary(withRecord);
    console.log('1. per-call cost (ns/call over batches of 1000 calls)');
    console.log(`   baseline: build object        p50 ${fmt(b.p50)}   p99 ${fmt(b.p99)}   mean ${fmt(b.mean)}`);
    console.log(`   build object + record()       p50 ${fmt(r.p50)}   p99 ${fmt(r.p99)}   mean ${fmt(r.mean)}`);
    console.log(`   ratio (record / baseline)     p50 ${(r.p50 / b.p50).toFixed(1)}x   mean ${(r.mean / b.mean).toFixed(1)}x`);
    console.log(`   record() alone (difference)   p50 ${fmt(r.p50 - b.p50)}   mean ${fmt(r.mean - b.mean)}`);
    console.log(`   recorder stats: ${JSON.stringify(rec1.stats())}`);

    // Where record()'s time goes (each step alone, mean of 20000 calls).
    const msg = create(PredictionEventSchema, makePrediction(1));
    msg.eventId = randomUUID();
    msg.timestamp = timestampNow();
    const bytes = toBinary(PredictionEventSchema, msg);
    const env = { id: msg.eventId, type: PredictionEventSchema.typeName, source: 'bench/sdk', time: new Date().toISOString() };
    console.log('   breakdown (mean per call):');
    console.log(`     create() message           ${fmt(timeIt((i) => create(PredictionEventSchema, makePrediction(i))))}`);
    console.log(`     randomUUID + timestamp     ${fmt(timeIt(() => [randomUUID(), timestampNow()]))}`);
    console.log(`     validatePredictionEvent    ${fmt(timeIt(() => validatePredictionEvent(msg)))}`);
    console.log(`     toBinary (protobuf)        ${fmt(timeIt(() => toBinary(PredictionEventSchema, msg)))}`);
    console.log(`     envelopeHeaders (ce_*)     ${fmt(timeIt(() => envelopeHeaders(env, bytes)))}`);
    // For comparison only (not what the SDK does): headers validated once, then ce_id/ce_time filled per event.
    const template = envelopeHeaders(env, bytes);
    console.log(`     [cf. ce_* from a template  ${fmt(timeIt(() => ({ ...template, ce_id: randomUUID(), ce_time: new Date().toISOString() })))}]`);
    console.log(`     sink ${sink > 0 ? 'ok' : '?'}\n`);

    // ---- 2. end-to-end throughput to the broker ----
    // Records in bursts of 100 (a busy service yields between requests), waiting only when
    // the buffer is half full, so nothing is dropped and the figure is what the sender sustains.
    const rec2 = new PredictionRecorder({ brokers: BROKERS, source: 'bench/sdk', topic, onError });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < EVENTS; i += 100) {
      for (let j = i; j < Math.min(EVENTS, i + 100); j++) rec2.record(makePrediction(j));
      while (rec2.stats().buffered > 5000) await yieldToLoop();
      await yieldToLoop();
    }
    const tRecorded = process.hrtime.bigint();
    await rec2.flush();
    const tFlushed = process.hrtime.bigint();
    await rec2.close();
    const s = rec2.stats();
    const secs = Number(tFlushed - t0) / 1e9;
    console.log('2. end-to-end to the broker (acks=all, idempotent, default batchSize 500 / lingerMs 50)');
    console.log(`   ${s.sent} events acknowledged in ${secs.toFixed(2)} s = ${Math.round(s.sent / secs).toLocaleString('en-US')} events/s`);
    console.log(`   (recording loop ${(Number(tRecorded - t0) / 1e9).toFixed(2)} s, final flush ${(Number(tFlushed - tRecorded) / 1e6).toFixed(0)} ms)`);
    console.log(`   recorder stats: ${JSON.stringify(s)}`);
    const onTopic = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    const expected = rec1.stats().sent + s.sent;
    console.log(`   records on the bench topic: ${onTopic} (expected ${expected})${onTopic === expected ? '' : '  <-- MISMATCH'}`);
    if (errors.length > 0) console.log(`   first errors: ${errors.join(' | ')}`);
    if (onTopic !== expected || s.dropped > 0) process.exitCode = 1;
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch((e) => console.error(`could not delete ${topic}: ${e.message}`));
    await admin.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
