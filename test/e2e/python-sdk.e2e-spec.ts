/**
 * The Python SDK (sdks/python) against the real ingest gateway, broker and drift-detection:
 * its pytest suite runs here (pytest's exit status fails this test), drift detection and
 * sampling apply what it recorded through each transport exactly once, and the same event recorded by the
 * Python and the TypeScript SDK is the same Kafka record (key, value bytes, headers), and both
 * copies on the broker are applied once by drift detection and sampling.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Client } from 'pg';
import { Topics } from '@labelloop/contracts';
import { encodePrediction, PredictionRecorder } from '@labelloop/sdk';
import { createTestDatabase, eventually, REPO_ROOT, ServiceProcess, startGroupsAt, startService, testKafka, TopicEnds, topicEnds } from '@labelloop/testing';

const SDK = path.join(REPO_ROOT, 'sdks/python');

describe('Python SDK', () => {
  const run = randomUUID().slice(0, 8);
  const token = `svc-${run}`;
  const kafka = testKafka();
  let python: string;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let gateway: ServiceProcess;
  let drift: ServiceProcess;
  let sampling: ServiceProcess;
  let pg: Client;
  let ends: TopicEnds;

  beforeAll(async () => {
    python = execFileSync('bash', [path.join(SDK, 'venv.sh')], { encoding: 'utf8' }).trim();
    db = await createTestDatabase('pysdk');
    const env = { DATABASE_URL: db.url, AUTH_TOKENS: JSON.stringify([{ token, subject: 'py', roles: ['service'], projects: ['*'] }]) };
    const group = `pysdk-drift-${run}`;
    const samplingGroup = `pysdk-sampling-${run}`;
    await startGroupsAt(
      kafka,
      [
        { groupId: group, topics: [Topics.predictionRecorded, Topics.modelPromoted] },
        { groupId: samplingGroup, topics: [Topics.predictionRecorded, Topics.driftDetected] },
      ],
      (ends = await topicEnds(kafka)),
    );
    gateway = startService('ingest-gateway', env);
    drift = startService('drift-detection', { ...env, KAFKA_GROUP_ID: group });
    sampling = startService('sampling', { ...env, KAFKA_GROUP_ID: samplingGroup });
    await Promise.all([gateway.ready, drift.ready, sampling.ready]);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await Promise.all([gateway?.kill('SIGTERM'), drift?.kill('SIGTERM'), sampling?.kill('SIGTERM')]);
    await db?.drop();
  });

  const reference = async (model: string) =>
    Number((await pg.query(`SELECT jsonb_array_length(reference) AS n FROM drift_detection.drift_model_state WHERE model_id = $1`, [model])).rows[0]?.n ?? 0);
  // Sampling's compact inbox lists the ids each applied chunk held: an id listed twice was applied twice.
  const sampled = async (model: string) =>
    Number((await pg.query(`SELECT count(*) AS n FROM sampling.inbox_chunk, unnest(applied_ids) AS id WHERE id LIKE $1`, [`${model}-%`])).rows[0].n);

  it('passes its pytest suite against the real gateway and broker; drift detection and sampling apply each event once', async () => {
    const { httpPort } = await gateway.ready;
    const res = spawnSync(python, ['-m', 'pytest', '-q', '-rs', SDK], {
      cwd: SDK,
      encoding: 'utf8',
      env: { ...process.env, LABELLOOP_GATEWAY_URL: `http://127.0.0.1:${httpPort}`, LABELLOOP_TOKEN: token, LABELLOOP_RUN: run },
      timeout: 300_000,
    });
    if (res.status !== 0) throw new Error(`pytest exited with ${res.status}:\n${res.stdout}\n${res.stderr}`);
    expect(res.stdout).not.toMatch(/skipped/); // the live cases ran
    for (const model of [`py-${run}-http`, `py-${run}-kafka`]) {
      await eventually(async () => (await reference(model)) === 100, `drift detection applied the 100 events of ${model}`, 90_000, 500);
    }
    await eventually(
      async () => (await sampled(`py-${run}-http`)) === 100 && (await sampled(`py-${run}-kafka`)) === 100,
      'sampling applied 100 + 100 events',
      60_000,
      500,
    );
    await new Promise((r) => setTimeout(r, 2000));
    expect(await reference(`py-${run}-http`)).toBe(100);
    expect(await reference(`py-${run}-kafka`)).toBe(100);
    expect(await sampled(`py-${run}-http`)).toBe(100);
    expect(await sampled(`py-${run}-kafka`)).toBe(100);
  });

  it('type-checks (mypy)', () => {
    const res = spawnSync(python, ['-m', 'mypy', '--ignore-missing-imports', 'src/labelloop'], { cwd: SDK, encoding: 'utf8', timeout: 300_000 });
    if (res.status !== 0) throw new Error(`mypy exited with ${res.status}:\n${res.stdout}\n${res.stderr}`);
  });

  it('records the same event as the same Kafka record as the TypeScript SDK', () => {
    const script = `
import json
from labelloop import PredictionEvent, encode_prediction
e = PredictionEvent(event_id="c-1", model_id="fraud", model_version="7", input_uri="s3://in/1", content_hash="sha256:ab",
    numeric_features={"amount": 12.5, "count": -3.0}, categorical_features={"country": "FR", "lang": "fr"},
    embedding=[0.25, -0.5, 0.1], predicted_label="fraud", class_probabilities={"fraud": 0.8, "ok": 0.2}, confidence=0.8,
    metadata={"project_id": "p1"})
e.timestamp.seconds = 1764806400
e.timestamp.nanos = 123456789
r = encode_prediction(e, "inference/fraud")
print(json.dumps({"key": r.key, "value": r.value.hex(), "headers": [[k, v.decode()] for k, v in r.headers]}))
`;
    const py = JSON.parse(execFileSync(python, ['-c', script], { encoding: 'utf8' })) as { key: string; value: string; headers: [string, string][] };
    const ts = encodePrediction(
      {
        eventId: 'c-1',
        modelId: 'fraud',
        modelVersion: '7',
        inputUri: 's3://in/1',
        contentHash: 'sha256:ab',
        numericFeatures: { amount: 12.5, count: -3 },
        categoricalFeatures: { country: 'FR', lang: 'fr' },
        embedding: [0.25, -0.5, 0.1],
        predictedLabel: 'fraud',
        classProbabilities: { fraud: 0.8, ok: 0.2 },
        confidence: 0.8,
        metadata: { project_id: 'p1' },
        timestamp: { seconds: 1764806400n, nanos: 123456789 },
      },
      'inference/fraud',
    );
    if (!ts.ok) throw new Error(ts.reason);
    expect(py.key).toBe(ts.record.key);
    expect(py.value).toBe(ts.record.value.toString('hex'));
    expect(py.headers).toEqual(Object.entries(ts.record.headers));
  });

  it('writes the same event from both SDKs as byte-identical records, which drift detection and sampling apply once', async () => {
    const model = `xl-${run}`;
    const n = 20;
    const t0 = Math.floor(Date.now() / 1000) - 60; // a minute ago: drift windows and sampling's recent window see the events as current
    // Map keys in sorted order: the Python SDK encodes maps in key order, the TypeScript SDK in insertion order.
    const event = (i: number) => ({
      eventId: `${model}-${i}`,
      modelId: model,
      modelVersion: '3',
      timestamp: { seconds: BigInt(t0 + i), nanos: 250_000_000 },
      inputUri: `s3://in/${i}`,
      contentHash: `sha256:${model}-${i}`,
      numericFeatures: { amount: 10 + i, count: 5 - i },
      categoricalFeatures: { country: i % 2 ? 'FR' : 'DE' },
      embedding: [0.25, -0.5, i / 8],
      predictedLabel: i % 3 ? 'ok' : 'fraud',
      classProbabilities: i % 3 ? { fraud: 0.25, ok: 0.75 } : { fraud: 0.75, ok: 0.25 },
      confidence: 0.75,
    });
    const ts = new PredictionRecorder({ kafka, source: 'inference/fraud' });
    for (let i = 0; i < n; i++) ts.record(event(i));
    await ts.close();
    expect(ts.stats()).toMatchObject({ recorded: n, sent: n, dropped: 0, rejected: 0 });
    const script = `
import json, os, sys
from labelloop import KafkaTransport, PredictionEvent, PredictionRecorder
model, n, t0 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = PredictionRecorder(KafkaTransport(os.environ["KAFKA_BROKERS"]), "inference/fraud")
for i in range(n):
    e = PredictionEvent(event_id=f"{model}-{i}", model_id=model, model_version="3", input_uri=f"s3://in/{i}", content_hash=f"sha256:{model}-{i}",
        numeric_features={"amount": 10 + i, "count": 5 - i}, categorical_features={"country": "FR" if i % 2 else "DE"}, embedding=[0.25, -0.5, i / 8],
        predicted_label="ok" if i % 3 else "fraud", class_probabilities={"fraud": 0.25, "ok": 0.75} if i % 3 else {"fraud": 0.75, "ok": 0.25}, confidence=0.75)
    e.timestamp.seconds = t0 + i
    e.timestamp.nanos = 250_000_000
    r.record(e)
r.close(30)
s = r.stats()
print(json.dumps({"recorded": s.recorded, "sent": s.sent, "dropped": s.dropped, "rejected": s.rejected}))
`;
    const py = JSON.parse(
      execFileSync(python, ['-c', script, model, String(n), String(t0)], {
        encoding: 'utf8',
        env: { ...process.env, KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? 'localhost:19092' },
      }),
    );
    expect(py).toEqual({ recorded: n, sent: n, dropped: 0, rejected: 0 });

    // Both copies of every event are on the topic, on the same partition (both SDKs partition by
    // murmur2 of the key, as the Java client does), the same bytes in value and headers.
    const reader = `pysdk-reader-${run}`;
    await startGroupsAt(kafka, [{ groupId: reader, topics: [Topics.predictionRecorded] }], ends);
    const byId = new Map<string, string[]>();
    const consumer = kafka.consumer({ groupId: reader });
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.predictionRecorded });
    let copies = 0;
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (message.key?.toString() !== model) return;
        const headers = Object.entries(message.headers ?? {}).map(([k, v]) => `${k}=${String(v)}`);
        const id = String(message.headers?.ce_id);
        byId.set(id, [...(byId.get(id) ?? []), `partition ${partition} ${message.value?.toString('hex')} ${headers.join(' ')}`]);
        copies++;
      },
    });
    try {
      await eventually(
        async () => copies >= 2 * n || Promise.reject(new Error(`${copies} so far`)),
        `${2 * n} records of ${model} on ${Topics.predictionRecorded}`,
        30_000,
      );
    } finally {
      await consumer.disconnect();
    }
    expect(byId.size).toBe(n);
    for (const [id, both] of byId) {
      expect([id, both.length]).toEqual([id, 2]);
      expect(both[1]).toBe(both[0]);
    }

    // Downstream, each event id is applied once although it arrived twice.
    const atLeast = (count: (m: string) => Promise<number>) => async () => {
      const c = await count(model);
      return c >= n || Promise.reject(new Error(`${c} so far`));
    };
    await eventually(atLeast(reference), `drift detection applied the ${n} events of ${model}`, 90_000, 500);
    await eventually(atLeast(sampled), `sampling applied the ${n} events of ${model}`, 90_000, 500);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await reference(model)).toBe(n);
    expect(await sampled(model)).toBe(n);
  });
});
