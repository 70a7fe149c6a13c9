/**
 * What `PredictionRecorder.record()` costs an inference service, and what it sustains to Kafka.
 *
 * 1. record() on the caller's thread: every call timed alone with performance.now() (the
 *    timer's own cost, measured the same way around nothing, is subtracted), over the same
 *    realistic objects built beforehand; p50 / p99 / mean, and whether the aim is met.
 * 2. End-to-end: EVENTS records as fast as the sender keeps up, then flush(): events/s
 *    acknowledged by the real broker (acks=all), and the process CPU per event; next to it a
 *    bare kafkajs producer with the recorder's settings sending the same records, pre-encoded.
 *
 * Writes to its own topic (created and deleted here), never to the shared prediction topic.
 * Run: see bench/sdk/README.md. Settings: KAFKA_BROKERS, BENCH_EVENTS (default 200000),
 * BENCH_SDK (another build of libs/sdk to measure, e.g. an older commit's, for comparisons).
 */
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { Kafka, logLevel, Message, Partitioners } from 'kafkajs';
import { PredictionEventSchema, validatePredictionEvent } from '@labelloop/contracts';
import { envelopeHeaders } from '@labelloop/messaging';
import type { PredictionEventInit, RecorderError } from '@labelloop/sdk';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const CHUNK = 1000;
const AIM_P50_NS = 1000;
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

const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (xs: Float64Array) => {
  const s = Float64Array.from(xs).sort();
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
};
const fmt = (ns: number) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const perSec = (n: number, secs: number) => Math.round(n / secs).toLocaleString('en-US');
const yieldToLoop = () => new Promise((r) => setImmediate(r));

/** Mean ns/call of `fn` over `n` calls, after a warm-up. */
function timeIt(fn: (i: number) => unknown, n = 20_000): number {
  for (let i = 0; i < 2000; i++) fn(i);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t) / n;
}

/** Process CPU (user + system) in µs, and wall time in s, since `from`. */
function usage(from: { cpu: NodeJS.CpuUsage; t: bigint }) {
  const c = process.cpuUsage(from.cpu);
  return { cpuUs: c.user + c.system, secs: Number(process.hrtime.bigint() - from.t) / 1e9 };
}
const mark = () => ({ cpu: process.cpuUsage(), t: process.hrtime.bigint() });

async function main(): Promise<void> {
  const sdkPath = process.env.BENCH_SDK ?? '@labelloop/sdk';
  const sdk = (await import(sdkPath)) as typeof import('@labelloop/sdk');
  const topic = `bench.sdk-${randomUUID().slice(0, 8)}.recorded.v1`;
  const kafka = new Kafka({ clientId: 'bench-sdk', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
  console.log(`node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}; broker ${BROKERS.join(',')}; topic ${topic}`);
  console.log(`sdk ${sdkPath === '@labelloop/sdk' ? 'libs/sdk (this checkout)' : sdkPath}; ${EVENTS} events per phase\n`);
  const errors: string[] = [];
  const onError = (e: RecorderError) => void (errors.length < 5 && errors.push(`${e.kind}: ${e.message}`));
  let expectedOnTopic = 0;
  try {
    // ---- 1. record() on the caller's thread ----
    const rec1 = new sdk.PredictionRecorder({ brokers: BROKERS, source: 'bench/sdk', topic, onError });
    const timerNs = (() => {
      const t = new Float64Array(100_000);
      for (let i = 0; i < t.length; i++) {
        const t0 = performance.now();
        t[i] = performance.now() - t0;
      }
      return summary(t).p50 * 1e6;
    })();
    const warmup = 20 * CHUNK;
    const samples = new Float64Array(EVENTS);
    const objects: PredictionEventInit[] = new Array(CHUNK);
    for (let from = 0, n = 0; from < warmup + EVENTS; from += CHUNK) {
      for (let j = 0; j < CHUNK; j++) objects[j] = makePrediction(from + j); // untimed
      for (let j = 0; j < CHUNK; j++) {
        const t0 = performance.now();
        rec1.record(objects[j]);
        const dt = (performance.now() - t0) * 1e6 - timerNs;
        if (from >= warmup) samples[n++] = dt;
      }
      // Untimed: let the sender work, as a service would between requests (no overflow here).
      while (rec1.stats().buffered > 5000) await yieldToLoop();
      await yieldToLoop();
    }
    await rec1.close();
    expectedOnTopic += rec1.stats().sent;
    const r = summary(samples);
    const met = r.p50 <= AIM_P50_NS;
    console.log(`1. record() on the caller's thread, each of ${EVENTS} calls timed alone (timer's own ${timerNs.toFixed(0)} ns subtracted)`);
    console.log(`   p50 ${fmt(r.p50)}   p99 ${fmt(r.p99)}   mean ${fmt(r.mean)}`);
    console.log(`   aim: TypeScript record() p50 <= ${fmt(AIM_P50_NS)} on the caller's thread -> ${met ? 'met' : 'NOT met'} (p50 ${fmt(r.p50)})`);
    console.log(`   recorder stats: ${JSON.stringify(rec1.stats())}`);
    console.log(`BENCH_RESULT ${JSON.stringify({ ts_record_ns: r })}`); // for run.sh's summary

    // The encoding work per event (in the sender since record() keeps the object; before, in record()).
    const msg = create(PredictionEventSchema, makePrediction(1));
    msg.eventId = randomUUID();
    msg.timestamp = timestampNow();
    const bytes = toBinary(PredictionEventSchema, msg);
    const env = { id: msg.eventId, type: PredictionEventSchema.typeName, source: 'bench/sdk', time: new Date().toISOString() };
    console.log('   encoding work per event (mean):');
    console.log(`     create() message           ${fmt(timeIt((i) => create(PredictionEventSchema, makePrediction(i))))}`);
    console.log(`     randomUUID + timestamp     ${fmt(timeIt(() => [randomUUID(), timestampNow()]))}`);
    console.log(`     validatePredictionEvent    ${fmt(timeIt(() => validatePredictionEvent(msg)))}`);
    console.log(`     toBinary (protobuf)        ${fmt(timeIt(() => toBinary(PredictionEventSchema, msg)))}`);
    console.log(`     envelopeHeaders (ce_*)     ${fmt(timeIt(() => envelopeHeaders(env, bytes)))}`);
    console.log(`     encodePrediction, all      ${fmt(timeIt((i) => sdk.encodePrediction(makePrediction(i), 'bench/sdk')))}\n`);

    // ---- 2. end-to-end through the recorder ----
    // Records in bursts of 100 (a busy service yields between requests), waiting only when
    // the buffer is half full, so nothing is dropped and the figure is what the sender sustains.
    const rec2 = new sdk.PredictionRecorder({ brokers: BROKERS, source: 'bench/sdk', topic, onError });
    const m2 = mark();
    for (let i = 0; i < EVENTS; i += 100) {
      for (let j = i; j < Math.min(EVENTS, i + 100); j++) rec2.record(makePrediction(j));
      while (rec2.stats().buffered > 5000) await yieldToLoop();
      await yieldToLoop();
    }
    await rec2.flush();
    const u2 = usage(m2);
    await rec2.close();
    const s = rec2.stats();
    expectedOnTopic += s.sent;

    // ---- 3. a bare kafkajs producer: same settings, same records encoded beforehand ----
    const pool: Message[] = [];
    for (let i = 0; i < 10_000; i++) {
      const e = sdk.encodePrediction(makePrediction(i), 'bench/sdk');
      if (e.ok) pool.push(e.record);
    }
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const m3 = mark();
    for (let i = 0; i < EVENTS; i += 500) {
      const messages: Message[] = [];
      for (let j = i; j < Math.min(EVENTS, i + 500); j++) messages.push(pool[j % pool.length]);
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
    }
    const u3 = usage(m3);
    await producer.disconnect();
    expectedOnTopic += EVENTS;

    console.log('2. end-to-end to the broker (acks=all, idempotent, one request in flight, batches of 500)');
    console.log(
      `   recorder:             ${perSec(s.sent, u2.secs)} events/s, ${(u2.cpuUs / s.sent).toFixed(1)} µs CPU/event (${s.sent} in ${u2.secs.toFixed(2)} s)`,
    );
    console.log(`   bare kafkajs producer: ${perSec(EVENTS, u3.secs)} events/s, ${(u3.cpuUs / EVENTS).toFixed(1)} µs CPU/event (records pre-encoded)`);
    console.log(`   recorder / bare: ${(s.sent / u2.secs / (EVENTS / u3.secs)).toFixed(2)}x`);
    console.log(`   recorder stats: ${JSON.stringify(s)}`);
    const onTopic = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    console.log(`   records on the bench topic: ${onTopic} (expected ${expectedOnTopic})${onTopic === expectedOnTopic ? '' : '  <-- MISMATCH'}`);
    if (errors.length > 0) console.log(`   first errors: ${errors.join(' | ')}`);
    if (onTopic !== expectedOnTopic || s.dropped > 0 || rec1.stats().dropped > 0) process.exitCode = 1;
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch((e) => console.error(`could not delete ${topic}: ${e.message}`));
    await admin.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
