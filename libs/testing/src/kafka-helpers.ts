import { randomUUID } from 'node:crypto';
import { create, DescMessage, fromBinary, MessageInitShape, MessageShape, toBinary } from '@bufbuild/protobuf';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { envelopeHeaders, sleep } from '@labelloop/messaging';

/** A kafkajs client for tests, on the brokers the global setup exported. */
export function testKafka(clientId = `test-${randomUUID().slice(0, 8)}`): Kafka {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

/** Creates fresh topics (and their DLQs) with a unique prefix, so tests never share state. */
export async function createTestTopics(kafka: Kafka, names: string[], partitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: names.flatMap((t) => [
        { topic: t, numPartitions: partitions, replicationFactor: 1 },
        { topic: `${t}.dlq`, numPartitions: 1, replicationFactor: 1 },
      ]),
    });
  } finally {
    await admin.disconnect();
  }
}

/** A Kafka record in LabelLoop's CloudEvents binary envelope. */
export function eventRecord<D extends DescMessage>(
  schema: D,
  message: MessageInitShape<D>,
  opts: { id?: string; key: string; traceparent?: string; source?: string },
): { key: string; value: Buffer; headers: Record<string, string> } {
  const value = Buffer.from(toBinary(schema, create(schema, message)));
  const headers = envelopeHeaders(
    { id: opts.id ?? randomUUID(), type: schema.typeName, source: opts.source ?? 'test', time: new Date().toISOString(), traceparent: opts.traceparent },
    value,
  );
  return { key: opts.key, value, headers };
}

/** Reads every message of `topic` from the beginning until `count` arrived or `timeoutMs` passed. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<{ key: string | null; value: Buffer | null; headers: Record<string, string>; partition: number; offset: string }[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const out: { key: string | null; value: Buffer | null; headers: Record<string, string>; partition: number; offset: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const timer = setTimeout(() => done(), timeoutMs);
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(Array.isArray(v) ? v[0] : v);
      out.push({ key: message.key?.toString() ?? null, value: message.value, headers, partition, offset: message.offset });
      if (out.length >= count) done();
    },
  });
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return out;
}

/**
 * Waits until `topic` holds an event of `schema` that `match` accepts (reading the topic from the
 * beginning every few seconds) and returns it; throws with `what` after `timeoutMs`.
 */
export function awaitEvent<D extends DescMessage>(
  kafka: Kafka,
  topic: string,
  schema: D,
  match: (event: MessageShape<D>) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<MessageShape<D>> {
  return eventually(
    async () => (await readTopic(kafka, topic, 100_000, 3_000)).map((m) => fromBinary(schema, m.value ?? Buffer.alloc(0))).find(match),
    what,
    timeoutMs,
    500,
  );
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A connected producer for tests. */
export async function testProducer(kafka: Kafka): Promise<Producer> {
  const p = kafka.producer({ allowAutoTopicCreation: false });
  await p.connect();
  return p;
}
