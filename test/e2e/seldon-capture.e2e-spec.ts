/**
 * Zero-code capture from Seldon Core 2: ingest-gateway as a process consumes a model's Kafka
 * topics on the real broker. The records are what Seldon's model gateway writes (documented
 * shape, our values): topic `seldon.<namespace>.model.<model>.inputs` holds a protobuf
 * `inference.ModelInferRequest`, `.outputs` the `ModelInferResponse`, both keyed and headed
 * (`x-request-id`) by the request id; a request sent over REST stays JSON with the header
 * `seldon-infer-type: json/inferModelRequest|Response`. The gateway pairs the halves by request
 * id in either order, maps them through the model's mapping, and writes each PredictionEvent
 * once: also when a half is produced twice and when the whole topic is redelivered to it.
 */
import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { Consumer, Producer } from 'kafkajs';
import { Client } from 'pg';
import { PredictionEventSchema, Topics, type PredictionEvent } from '@labelloop/contracts';
import { createTestDatabase, eventually, ServiceProcess, startGroupsAt, startService, testKafka } from '@labelloop/testing';

// Field numbers of grpc_predict_v2.proto (Open Inference Protocol), written with the wire writer.
function tensor(name: string, datatype: string, shape: number[], fp32?: number[]): Uint8Array {
  const w = new BinaryWriter().tag(1, 2).string(name).tag(2, 2).string(datatype).tag(3, 2).fork();
  for (const s of shape) w.int64(s);
  w.join();
  if (fp32) {
    const c = new BinaryWriter().tag(6, 2).fork();
    for (const v of fp32) c.float(v);
    c.join();
    w.tag(5, 2).bytes(c.finish());
  }
  return w.finish();
}
/** ModelInferRequest {model_name 1, id 3, inputs 5}: one [1, 4] FP32 tensor in typed contents. */
const inferRequest = (model: string, id: string, x: number[]) =>
  Buffer.from(
    new BinaryWriter()
      .tag(1, 2)
      .string(model)
      .tag(3, 2)
      .string(id)
      .tag(5, 2)
      .bytes(tensor('predict', 'FP32', [1, 4], x))
      .finish(),
  );
/** ModelInferResponse {model_name 1, model_version 2, id 3, outputs 5, raw_output_contents 6}: probabilities as raw little-endian FP32, as MLServer answers. */
function inferResponse(model: string, id: string, p: number[]): Buffer {
  const raw = Buffer.alloc(p.length * 4);
  p.forEach((v, i) => raw.writeFloatLE(v, i * 4));
  const w = new BinaryWriter().tag(1, 2).string(model).tag(2, 2).string('1').tag(3, 2).string(id);
  return Buffer.from(
    w
      .tag(5, 2)
      .bytes(tensor('predict_proba', 'FP32', [1, p.length]))
      .tag(6, 2)
      .bytes(raw)
      .finish(),
  );
}

describe('Seldon Core 2 capture', () => {
  const run = randomUUID().slice(0, 8);
  const kafka = testKafka();
  const namespace = `e2e${run}`;
  const model = `iris${run}`;
  const modelId = `seldon-iris-${run}`;
  const inputs = `seldon.${namespace}.model.${model}.inputs`;
  const outputs = `seldon.${namespace}.model.${model}.outputs`;
  const group = `seldon-capture-${run}`;
  const admin = kafka.admin();
  let env: Record<string, string>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let gateway: ServiceProcess;
  let producer: Producer;
  let tail: Consumer;
  let pg: Client;
  const written: PredictionEvent[] = [];

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [inputs, outputs].map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    db = await createTestDatabase('seldon');
    env = {
      DATABASE_URL: db.url,
      AUTH_TOKENS: JSON.stringify([{ token: `admin-${run}`, subject: 'ops', roles: ['admin'], projects: ['*'] }]),
      SELDON_NAMESPACES: `other, ${namespace}`,
      SELDON_CONSUMER_GROUP: group,
    };
    const tailGroup = `seldon-tail-${run}`;
    await startGroupsAt(kafka, [{ groupId: tailGroup, topics: [Topics.predictionRecorded] }]);
    tail = kafka.consumer({ groupId: tailGroup });
    await tail.connect();
    await tail.subscribe({ topic: Topics.predictionRecorded });
    await tail.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === modelId && message.value) written.push(fromBinary(PredictionEventSchema, message.value));
      },
    });
    producer = kafka.producer();
    await producer.connect();
    gateway = startService('ingest-gateway', env);
    const { httpPort } = await gateway.ready;
    const put = await fetch(`http://127.0.0.1:${httpPort}/v1/kserve/mappings/${model}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer admin-${run}` },
      body: JSON.stringify({
        modelId,
        input: { tensor: 'predict', features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] },
        probabilities: { tensor: 'predict_proba', classes: ['setosa', 'versicolor', 'virginica'] },
      }),
    });
    expect(put.status).toBe(200);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await tail?.disconnect();
    await producer?.disconnect();
    await pg?.end();
    await gateway?.kill('SIGTERM');
    await admin.deleteTopics({ topics: [inputs, outputs] }).catch(() => undefined);
    await admin.disconnect();
    await db?.drop();
  });

  const half = (topic: string, id: string, value: Buffer, extra: Record<string, string> = {}) =>
    producer.send({ topic, acks: -1, messages: [{ key: id, value, headers: { 'x-request-id': id, 'seldon-model': model, ...extra } }] });
  const committedAll = async () => {
    const ends = await Promise.all([inputs, outputs].map(async (t) => (await admin.fetchTopicOffsets(t)).map((p) => p.high)));
    const done = await admin.fetchOffsets({ groupId: group, topics: [inputs, outputs] });
    return done.every((t, i) => t.partitions.every((p, j) => p.offset === ends[i][j]));
  };
  const ingestedRows = async () => Number((await pg.query(`SELECT count(*) AS n FROM ingest_gateway.ingested_event WHERE event_id LIKE 'seldon:%'`)).rows[0].n);

  it('pairs inputs and outputs by request id and writes each PredictionEvent once, also after a redelivery', async () => {
    const n = 12;
    const probs = (i: number) => (i % 3 === 0 ? [0.75, 0.125, 0.125] : [0.125, 0.25, 0.625]);
    for (let i = 0; i < n; i++) {
      const id = `${run}-${i}`;
      const x = [5 + i / 4, 3.5, 1.25 + i / 8, 0.25];
      const request = () =>
        i === n - 1
          ? half(inputs, id, Buffer.from(JSON.stringify({ id, inputs: [{ name: 'predict', shape: [1, 4], datatype: 'FP32', data: [x] }] })), {
              'seldon-infer-type': 'json/inferModelRequest',
            })
          : half(inputs, id, inferRequest(model, id, x));
      const response = () =>
        i === n - 1
          ? half(
              outputs,
              id,
              Buffer.from(
                JSON.stringify({
                  model_name: model,
                  model_version: '1',
                  id,
                  outputs: [{ name: 'predict_proba', shape: [1, 3], datatype: 'FP32', data: [probs(i)] }],
                }),
              ),
              { 'seldon-infer-type': 'json/inferModelResponse' },
            )
          : half(outputs, id, inferResponse(model, id, probs(i)));
      // The two topics are consumed independently: either half may come first.
      if (i % 2) await response().then(request);
      else await request().then(response);
    }
    // A producer retry writes a half again (after its pair was ingested).
    await half(inputs, `${run}-0`, inferRequest(model, `${run}-0`, [5, 3.5, 1.25, 0.25]));
    await eventually(async () => written.length >= n && (await committedAll()), `${n} PredictionEvents of ${modelId} and every record committed`, 60_000, 300);

    const byId = new Map(written.map((e) => [e.eventId, e]));
    expect(written).toHaveLength(n);
    expect([...byId.keys()].sort()).toEqual(Array.from({ length: n }, (_, i) => `seldon:${run}-${i}:0`).sort());
    const first = byId.get(`seldon:${run}-0:0`) as PredictionEvent;
    expect(first).toMatchObject({
      modelId,
      modelVersion: '1',
      predictedLabel: 'setosa',
      confidence: 0.75,
      inputUri: `seldon://${namespace}/${model}/${run}-0#0`,
    });
    expect(first.numericFeatures).toEqual({ sepal_length: 5, sepal_width: 3.5, petal_length: 1.25, petal_width: 0.25 });
    expect(first.classProbabilities).toEqual({ setosa: 0.75, versicolor: 0.125, virginica: 0.125 });
    expect(first.metadata).toMatchObject({ seldon_model: model, seldon_request_id: `${run}-0` });
    expect(byId.get(`seldon:${run}-${n - 1}:0`)).toMatchObject({ predictedLabel: 'virginica', confidence: 0.625 }); // the JSON pair

    // Redelivery: the gateway stops, its group is set back to the topics' start, and it reads all again.
    await gateway.kill('SIGTERM');
    await admin.resetOffsets({ groupId: group, topic: inputs, earliest: true });
    await admin.resetOffsets({ groupId: group, topic: outputs, earliest: true });
    expect(await committedAll()).toBe(false);
    gateway = startService('ingest-gateway', env);
    await gateway.ready;
    await eventually(committedAll, 'the restarted gateway read both topics again', 60_000, 300);
    await new Promise((r) => setTimeout(r, 3000)); // the outbox relay's poll, had it anything new
    expect(written).toHaveLength(n);
    expect(await ingestedRows()).toBe(n);
    expect(Number((await pg.query(`SELECT count(*) AS n FROM ingest_gateway.kserve_pending WHERE ce_id LIKE 'seldon:%'`)).rows[0].n)).toBe(0);
  });
});
