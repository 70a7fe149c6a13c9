/**
 * Events per CPU-second: ingest-gateway (a process: HTTP/JSON in, validation, ingested_event +
 * outbox in PostgreSQL, relay to Kafka) against a bare kafkajs idempotent producer sending the
 * same records straight to a topic. The gateway's CPU is read from /proc/<pid>/stat (user +
 * system) between the first call and the moment the topic holds every event; the producer's
 * from process.cpuUsage() around its sends. PostgreSQL's CPU is not counted (it is another
 * process; say so when comparing). Needs `npx tsc -b tsconfig.build.json` (the gateway's
 * dist) and the local broker and database. Writes BENCH_GATEWAY_EVENTS (default 20,000) events
 * of the model `bench-gateway-<run>` to the shared prediction topic (the gateway's only
 * output), and as many to its own topic `bench.gateway-<run>.v1` (deleted at the end).
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { create, toBinary, toJson } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { PredictionEventSchema, Topics } from '@labelloop/contracts';
import { envelopeHeaders } from '@labelloop/messaging';
import { createTestDatabase, startService, testKafka } from '@labelloop/testing';

const N = Number(process.env.BENCH_GATEWAY_EVENTS ?? 20_000);
const BATCH = 500;
const CONCURRENCY = 4;
const TICK = 100; // USER_HZ on Linux

const cpuSecondsOf = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
};

async function main() {
  const run = randomUUID().slice(0, 8);
  const model = `bench-gateway-${run}`;
  const events = Array.from({ length: N }, (_, i) =>
    create(PredictionEventSchema, {
      eventId: `${run}-${i}`,
      modelId: model,
      modelVersion: '1',
      timestamp: timestampNow(),
      inputUri: `s3://bench/${i}.jpg`,
      contentHash: `sha256:${run}-${i}`,
      numericFeatures: { width: 640, height: 480, brightness: (i % 97) / 97 },
      categoricalFeatures: { region: 'eu-west-1' },
      embedding: Array.from({ length: 16 }, (_, k) => k / 16),
      predictedLabel: 'cat',
      classProbabilities: { cat: 0.8, dog: 0.2 },
      confidence: 0.8,
    }),
  );
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const topicEnd = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high), 0);

  // 1. Bare kafkajs producer.
  const own = `bench.gateway-${run}.v1`;
  await admin.createTopics({ topics: [{ topic: own, numPartitions: 6 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const c0 = process.cpuUsage();
  const t0 = Date.now();
  for (let i = 0; i < N; i += BATCH) {
    await producer.send({
      topic: own,
      acks: -1,
      messages: events.slice(i, i + BATCH).map((e) => {
        const value = Buffer.from(toBinary(PredictionEventSchema, e));
        return {
          key: e.modelId,
          value,
          headers: envelopeHeaders({ id: e.eventId, type: PredictionEventSchema.typeName, source: 'bench', time: new Date().toISOString() }, value),
        };
      }),
    });
  }
  const c = process.cpuUsage(c0);
  const kafkajs = { seconds: (Date.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
  await producer.disconnect();
  await admin.deleteTopics({ topics: [own] }).catch(() => undefined);

  // 2. The gateway, as a process.
  const db = await createTestDatabase('benchgw');
  const token = `bench-${run}`;
  const gw = startService('ingest-gateway', {
    DATABASE_URL: db.url,
    AUTH_TOKENS: JSON.stringify([{ token, subject: 'bench', roles: ['service'], projects: ['*'] }]),
    LOG_LEVEL: 'warn',
  });
  const { httpPort } = await gw.ready;
  const before = await topicEnd(Topics.predictionRecorded);
  const bodies: string[] = [];
  for (let i = 0; i < N; i += BATCH) bodies.push(JSON.stringify({ predictions: events.slice(i, i + BATCH).map((e) => toJson(PredictionEventSchema, e)) }));
  const g0 = cpuSecondsOf(gw.proc.pid!);
  const t1 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        for (;;) {
          const r = await fetch(`http://127.0.0.1:${httpPort}/v1/predictions:ingest`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body,
          });
          if (r.status === 200) break;
          if (r.status !== 429) throw new Error(`gateway answered ${r.status}: ${await r.text()}`);
          await new Promise((res) => setTimeout(res, 100));
        }
      }
    }),
  );
  while ((await topicEnd(Topics.predictionRecorded)) - before < N) await new Promise((r) => setTimeout(r, 20));
  const gateway = { seconds: (Date.now() - t1) / 1000, cpu: cpuSecondsOf(gw.proc.pid!) - g0 };
  await gw.kill('SIGTERM');
  await db.drop();
  await admin.disconnect();

  const row = (name: string, r: { seconds: number; cpu: number }) =>
    `| ${name} | ${N} | ${r.seconds.toFixed(2)} s | ${Math.round(N / r.seconds)} | ${r.cpu.toFixed(2)} s | ${Math.round(N / r.cpu)} |`;
  console.log('| path | events | wall | events/s | CPU (process) | events per CPU-second |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(row('bare kafkajs producer (idempotent, acks=all, batches of 500)', kafkajs));
  console.log(row(`ingest-gateway HTTP/JSON (batches of 500, ${CONCURRENCY} at once) → outbox → Kafka`, gateway));
  console.log(`BENCH_RESULT ${JSON.stringify({ events: N, kafkajs, gateway })}`); // for run.sh's summary
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
