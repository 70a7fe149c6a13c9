/**
 * The end-to-end case: a Python inference service (FastAPI + scikit-learn, trained on
 * the Iris data set scikit-learn ships) records through the Python SDK into ingest-gateway,
 * KServe-logger CloudEvents are posted to the gateway beside it, and drift-detection and
 * sampling apply both streams exactly once (retried requests and repeated logger deliveries
 * included), although drift-detection is SIGKILLed halfway (ingestion goes on; drift detection
 * catches up when it is back).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Client } from 'pg';
import { Topics } from '@labelloop/contracts';
import { createTestDatabase, eventually, freePort, REPO_ROOT, ServiceProcess, startGroupsAt, startService, testKafka } from '@labelloop/testing';

const APP = path.join(REPO_ROOT, 'sdks/python/examples/iris-fastapi');

describe('Python inference service and KServe capture through the gateway', () => {
  const run = randomUUID().slice(0, 8);
  const token = `svc-${run}`;
  const model = `iris-${run}`;
  const isvc = `kserve-iris-${run}`;
  const kafka = testKafka();
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let gateway: ServiceProcess;
  let drift: ServiceProcess;
  let sampling: ServiceProcess;
  let driftEnv: Record<string, string>;
  let app: ChildProcess;
  let appUrl: string;
  let gatewayUrl: string;
  let pg: Client;
  const appLogs: string[] = [];

  beforeAll(async () => {
    const python = execFileSync('bash', [path.join(REPO_ROOT, 'sdks/python/venv.sh')], { encoding: 'utf8' }).trim();
    db = await createTestDatabase('pyinf');
    const env = {
      DATABASE_URL: db.url,
      AUTH_TOKENS: JSON.stringify([
        { token, subject: 'inference', roles: ['service'], projects: ['*'] },
        { token: `admin-${run}`, subject: 'ops', roles: ['admin'], projects: ['*'] },
      ]),
    };
    driftEnv = { ...env, KAFKA_GROUP_ID: `pyinf-drift-${run}`, KAFKA_SESSION_TIMEOUT_MS: '6000' };
    const samplingGroup = `pyinf-sampling-${run}`;
    await startGroupsAt(kafka, [
      { groupId: driftEnv.KAFKA_GROUP_ID, topics: [Topics.predictionRecorded, Topics.modelPromoted] },
      { groupId: samplingGroup, topics: [Topics.predictionRecorded, Topics.driftDetected] },
    ]);
    gateway = startService('ingest-gateway', env);
    drift = startService('drift-detection', driftEnv);
    sampling = startService('sampling', { ...env, KAFKA_GROUP_ID: samplingGroup });
    const [g] = await Promise.all([gateway.ready, drift.ready, sampling.ready]);
    gatewayUrl = `http://127.0.0.1:${g.httpPort}`;
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    app = spawn(python, ['-m', 'uvicorn', 'app:app', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: APP,
      env: { ...process.env, LABELLOOP_GATEWAY_URL: gatewayUrl, LABELLOOP_TOKEN: token, MODEL_ID: model },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const s of [app.stdout!, app.stderr!]) s.on('data', (d: Buffer) => appLogs.push(d.toString()));
    await eventually(
      async () => (await fetch(`${appUrl}/stats`).catch(() => undefined))?.ok,
      `the FastAPI service on ${appUrl}:\n${appLogs.join('')}`,
      60_000,
      300,
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    app?.kill('SIGTERM');
    await pg?.end();
    await Promise.all([gateway?.kill('SIGTERM'), drift?.kill('SIGTERM'), sampling?.kill('SIGTERM')]);
    await db?.drop();
  });

  const predict = async (i: number) => {
    const iris = [5.1 + (i % 7) * 0.3, 3.5 - (i % 5) * 0.2, 1.4 + (i % 9) * 0.6, 0.2 + (i % 4) * 0.5];
    const res = await fetch(`${appUrl}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ features: iris, id: String(i) }),
    });
    expect(res.status).toBe(200);
  };
  const log = (type: 'request' | 'response', ceId: string, body: unknown) =>
    fetch(`${gatewayUrl}/v1/kserve/events?token=${token}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': ceId,
        'ce-type': `org.kubeflow.serving.inference.${type}`,
        'ce-source': 'http://localhost:9081/',
        'ce-inferenceservicename': isvc,
        'ce-namespace': 'models',
        'ce-endpoint': 'default',
      },
      body: JSON.stringify(body),
    }).then((r) => r.json());
  const kserveInference = async (i: number) => {
    const ceId = `${run}-${i}`;
    const x = [6.0 + (i % 3) * 0.2, 3.0, 4.0 + (i % 4) * 0.3, 1.3];
    const p = i % 2 ? [0.05, 0.8, 0.15] : [0.1, 0.3, 0.6];
    const response = { model_name: isvc, model_version: 'v1', id: ceId, outputs: [{ name: 'output-0', shape: [1, 3], datatype: 'FP32', data: p }] };
    // The gateway takes both halves itself, whether or not drift-detection runs.
    expect(await log('request', ceId, { id: ceId, inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: x }] })).toEqual({ status: 'pending' });
    expect(await log('response', ceId, response)).toMatchObject({
      status: 'ingested',
      accepted: 1,
    });
    // The logger retries a delivery it thinks failed: a repeated half changes nothing.
    if (i % 5 === 0) expect(await log('response', ceId, response)).toEqual({ status: 'duplicate' });
  };
  const count = async (sql: string, params: unknown[]) => Number((await pg.query(sql, params)).rows[0].n);
  const reference = (m: string) =>
    count(`SELECT coalesce((SELECT jsonb_array_length(reference) FROM drift_detection.drift_model_state WHERE model_id = $1), 0) AS n`, [m]);
  // Sampling's compact inbox lists the ids each applied chunk held: an id listed twice was applied twice.
  const sampled = (prefix: string) => count(`SELECT count(*) AS n FROM sampling.inbox_chunk, unnest(applied_ids) AS id WHERE id LIKE $1`, [`${prefix}%`]);

  it('applies both streams exactly once in drift-detection and sampling, across a drift-detection crash', async () => {
    const put = await fetch(`${gatewayUrl}/v1/kserve/mappings/${isvc}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer admin-${run}` },
      body: JSON.stringify({
        modelId: isvc,
        input: { tensor: 'input-0', features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] },
        probabilities: { tensor: 'output-0', classes: ['setosa', 'versicolor', 'virginica'] },
      }),
    });
    expect(put.status).toBe(200);

    for (let i = 0; i < 30; i++) await predict(i);
    for (let i = 0; i < 10; i++) await kserveInference(i);
    await drift.kill('SIGKILL');
    for (let i = 30; i < 60; i++) await predict(i);
    for (let i = 10; i < 20; i++) await kserveInference(i);
    // A client retries five requests with the same id: the SDK records and sends them again (65).
    for (let i = 25; i < 30; i++) await predict(i);
    // Ingestion went on without drift-detection: the SDK has sent all 65, sampling has both streams.
    await eventually(async () => (await (await fetch(`${appUrl}/stats`)).json()).sent === 65, 'the Python SDK sent 65 predictions', 30_000);
    await eventually(
      async () => (await sampled(`${model}:`)) === 60 && (await sampled(`kserve:${run}-`)) === 20,
      'sampling applied 60 + 20 events',
      60_000,
      500,
    );

    drift = startService('drift-detection', driftEnv);
    await drift.ready;
    await eventually(async () => (await reference(model)) === 60 && (await reference(isvc)) === 20, 'drift detection applied 60 + 20 events', 90_000, 500);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await reference(model)).toBe(60);
    expect(await reference(isvc)).toBe(20);
    expect(await sampled(`${model}:`)).toBe(60);
    expect(await sampled(`kserve:${run}-`)).toBe(20);
    // sampling's effect table holds each event once.
    expect(await count(`SELECT count(*) - count(DISTINCT event_id) AS n FROM sampling.sampling_recent_event WHERE model_id = ANY($1)`, [[model, isvc]])).toBe(
      0,
    );
    expect(await (await fetch(`${appUrl}/stats`)).json()).toMatchObject({ recorded: 65, sent: 65, dropped: 0, rejected: 0, refused: 0 });
  });
});
