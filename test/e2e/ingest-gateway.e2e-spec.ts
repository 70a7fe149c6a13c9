/**
 * ingest-gateway and drift-detection as processes on the real broker and database: the Ingest
 * call over gRPC and over HTTP/JSON, a retry with the same event ids written once, a bad event
 * refused with 400 naming the field (nothing of its call written), load shed with 429 /
 * RESOURCE_EXHAUSTED and Retry-After under a burst, ingestion that goes on while
 * drift-detection is down (drift detection applies those events once when it is back), and
 * KServe inference-logger CloudEvents (V1 and V2 bodies) paired by ce-id under a mapping.
 */
import { randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { create, fromBinary, toJson } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Consumer } from 'kafkajs';
import { Client } from 'pg';
import { IngestService, PredictionEventSchema, Topics, type PredictionEvent } from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { createTestDatabase, eventually, ServiceProcess, startGroupsAt, startService, testKafka } from '@labelloop/testing';

describe('ingest-gateway service', () => {
  const run = randomUUID().slice(0, 8);
  const kafka = testKafka();
  const token = `svc-${run}`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let gateway: ServiceProcess;
  let drift: ServiceProcess;
  let driftEnv: Record<string, string>;
  let http: string;
  let grpcAddress: string;
  let pg: Client;
  let tail: Consumer;
  /** This run's events on the prediction topic, as read downstream (ce_id, event id, source). */
  const seen: { ceId: string; eventId: string; modelId: string; source: string; label: string }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('gateway');
    const tokens = [
      { token, subject: 'inference', roles: ['service'], projects: ['*'] },
      { token: `annotator-${run}`, subject: 'ann', roles: ['annotator'], projects: ['*'] },
      { token: `admin-${run}`, subject: 'ops', roles: ['admin'], projects: ['*'] },
    ];
    const base = { DATABASE_URL: db.url, AUTH_TOKENS: JSON.stringify(tokens) };
    driftEnv = { ...base, KAFKA_GROUP_ID: `gw-drift-${run}`, KAFKA_SESSION_TIMEOUT_MS: '6000' };
    const tailGroup = `gw-tail-${run}`;
    await startGroupsAt(kafka, [
      { groupId: driftEnv.KAFKA_GROUP_ID, topics: [Topics.predictionRecorded, Topics.modelPromoted] },
      { groupId: tailGroup, topics: [Topics.predictionRecorded] },
    ]);
    tail = kafka.consumer({ groupId: tailGroup });
    await tail.connect();
    await tail.subscribe({ topic: Topics.predictionRecorded, fromBeginning: true });
    await tail.run({
      eachMessage: async ({ message }) => {
        const e = fromBinary(PredictionEventSchema, message.value!);
        if (e.modelId.startsWith(`gw-${run}`))
          seen.push({
            ceId: String(message.headers?.ce_id),
            eventId: e.eventId,
            modelId: e.modelId,
            source: String(message.headers?.ce_source),
            label: e.predictedLabel,
          });
      },
    });
    // Two calls in flight at most: a burst of concurrent calls must be shed.
    gateway = startService('ingest-gateway', {
      ...base,
      INGEST_MAX_IN_FLIGHT: '2',
      INGEST_RETRY_AFTER_SECONDS: '1',
      INGEST_MAX_REQUEST_BYTES: String(1024 * 1024),
    });
    drift = startService('drift-detection', driftEnv);
    const [g] = await Promise.all([gateway.ready, drift.ready]);
    http = `http://127.0.0.1:${g.httpPort}`;
    grpcAddress = `127.0.0.1:${g.grpcPort}`;
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await tail?.disconnect();
    await pg?.end();
    await Promise.all([gateway?.kill('SIGTERM'), drift?.kill('SIGTERM')]);
    await db?.drop();
  });

  const pred = (model: string, i: number, extra: Partial<PredictionEvent> = {}) =>
    create(PredictionEventSchema, {
      eventId: `${model}-${i}`,
      modelId: model,
      modelVersion: '1',
      timestamp: timestampFromDate(new Date()),
      contentHash: `sha256:${model}-${i}`,
      predictedLabel: i % 3 ? 'ham' : 'spam',
      confidence: 0.5 + (i % 50) / 100,
      numericFeatures: { length: 10 + (i % 17) },
      ...extra,
    });
  const post = (events: PredictionEvent[], opts: { token?: string; body?: string } = {}) =>
    fetch(`${http}/v1/predictions:ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(opts.token === '' ? {} : { authorization: `Bearer ${opts.token ?? token}` }) },
      body: opts.body ?? JSON.stringify({ predictions: events.map((e) => toJson(PredictionEventSchema, e)) }),
    });
  const referenceSize = async (model: string) => {
    const [row] = (await pg.query(`SELECT jsonb_array_length(reference) AS n FROM drift_detection.drift_model_state WHERE model_id = $1`, [model])).rows;
    return row ? Number(row.n) : 0;
  };
  const downstream = (model: string) => seen.filter((s) => s.modelId === model);

  it('ingests over gRPC and HTTP/JSON; a retry with the same event ids is written once', async () => {
    const model = `gw-${run}-both`;
    const client = createGrpcClient(IngestService, grpcAddress, { token });
    const overGrpc = Array.from({ length: 10 }, (_, i) => pred(model, i));
    expect(await client.ingest({ predictions: overGrpc })).toMatchObject({ accepted: 10, duplicates: 0 });
    expect(await client.ingest({ predictions: overGrpc })).toMatchObject({ accepted: 0, duplicates: 10 });
    client.close();

    const overHttp = Array.from({ length: 10 }, (_, i) => pred(model, 10 + i));
    const first = await post(overHttp);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 10, duplicates: 0 });
    // A retry that overlaps the first call (half old, half new ids).
    const retry = await post([...overHttp.slice(5), pred(model, 20), pred(model, 21)]);
    expect(await retry.json()).toEqual({ accepted: 2, duplicates: 5 });

    await eventually(async () => downstream(model).length >= 22, '22 events of the model downstream', 30_000);
    await eventually(async () => (await referenceSize(model)) === 22, 'drift detection applied 22 events', 60_000, 300);
    await new Promise((r) => setTimeout(r, 2000));
    const ids = downstream(model).map((s) => s.eventId);
    expect(ids).toHaveLength(22);
    expect(new Set(ids).size).toBe(22);
    expect(downstream(model).every((s) => s.ceId === s.eventId && s.source === 'labelloop/ingest-gateway')).toBe(true);
    expect(await referenceSize(model)).toBe(22);
  });

  it('refuses bad input naming the field, and writes nothing of that call', async () => {
    const model = `gw-${run}-bad`;
    const bad = await post([pred(model, 0), pred(model, 1, { confidence: 1.5 })]);
    expect(bad.status).toBe(400);
    // Worded as the other services word a refused item: `predictions[1]: <field> <problem>`.
    expect(await bad.json()).toEqual({
      error: { code: 'INVALID_ARGUMENT', field: 'predictions[1]', message: 'predictions[1]: confidence must be in [0, 1], got 1.5' },
    });

    const undecodable = await post([], { body: JSON.stringify({ predictions: [{ eventId: 'x', numericFeatures: { length: 'long' } }] }) });
    expect(undecodable.status).toBe(400);
    expect((await undecodable.json()).error).toMatchObject({ field: 'predictions[0]', message: expect.stringMatching(/^predictions\[0\]: numeric_features /) });

    const client = createGrpcClient(IngestService, grpcAddress, { token });
    await expect(client.ingest({ predictions: [pred(model, 2, { modelId: '' })] })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'predictions[0]: model_id is required',
    });
    client.close();

    // Over INGEST_MAX_REQUEST_BYTES (1 MiB here): 413, with or without a Content-Length.
    const huge = JSON.stringify({ predictions: [toJson(PredictionEventSchema, pred(model, 4, { inputUri: 'x'.repeat(2 * 1024 * 1024) }))] });
    const tooLarge = await post([], { body: huge });
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).error.field).toBe('body');
    const streamed = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(huge));
        c.close();
      },
    });
    const chunked = await fetch(`${http}/v1/predictions:ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: streamed,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);

    expect((await post([pred(model, 3)], { token: '' })).status).toBe(401);
    expect((await post([pred(model, 3)], { token: `annotator-${run}` })).status).toBe(403);
    // The good event of the refused call was not written: accepted now, not a duplicate.
    expect(await (await post([pred(model, 0)])).json()).toEqual({ accepted: 1, duplicates: 0 });
  });

  it('sheds a burst with 429 / RESOURCE_EXHAUSTED and Retry-After; retried calls are all accepted once', async () => {
    const model = `gw-${run}-burst`;
    const calls = Array.from({ length: 30 }, (_, c) => Array.from({ length: 50 }, (_, i) => pred(model, c * 50 + i)));
    const answers = await Promise.all(calls.map((events) => post(events)));
    const shed = answers.filter((a) => a.status === 429);
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    expect(shed.length).toBeGreaterThan(0);
    expect(shed.every((a) => a.headers.get('retry-after') === '1')).toBe(true);
    expect((await shed[0].json()).error.code).toBe('RESOURCE_EXHAUSTED');

    const client = createGrpcClient(IngestService, grpcAddress, { token });
    const grpcBurst = await Promise.allSettled(Array.from({ length: 20 }, (_, c) => client.ingest({ predictions: [pred(model, 5000 + c)] })));
    const refused = grpcBurst.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as ServiceError);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.code === status.RESOURCE_EXHAUSTED && e.metadata.get('retry-after')[0] === '1')).toBe(true);
    client.close();

    // A client that honours Retry-After gets every event in, each once.
    let pending = calls.filter((_, c) => answers[c].status === 429);
    while (pending.length > 0) {
      await new Promise((r) => setTimeout(r, 1000));
      const again = await Promise.all(pending.map((events) => post(events)));
      pending = pending.filter((_, c) => again[c].status === 429);
    }
    // Every HTTP event, and the gRPC calls that were admitted (those refused were not retried).
    const expected = 1500 + (grpcBurst.length - refused.length);
    await eventually(async () => downstream(model).length >= expected, `${expected} burst events downstream`, 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(new Set(downstream(model).map((s) => s.eventId)).size).toBe(expected);
    expect(downstream(model)).toHaveLength(expected);
  });

  it('keeps ingesting while drift-detection is down; drift detection applies those events once when back', async () => {
    const model = `gw-${run}-outage`;
    await drift.kill('SIGKILL');
    const events = Array.from({ length: 60 }, (_, i) => pred(model, i));
    expect(await (await post(events.slice(0, 40))).json()).toEqual({ accepted: 40, duplicates: 0 });
    const client = createGrpcClient(IngestService, grpcAddress, { token });
    expect(await client.ingest({ predictions: events.slice(20) })).toMatchObject({ accepted: 20, duplicates: 20 });
    client.close();
    await eventually(async () => downstream(model).length >= 60, '60 events downstream while drift-detection is down', 30_000);
    expect(await referenceSize(model)).toBe(0);

    drift = startService('drift-detection', driftEnv);
    await drift.ready;
    await eventually(async () => (await referenceSize(model)) === 60, 'drift detection applied the 60 events', 90_000, 500);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await referenceSize(model)).toBe(60);
  });

  it('captures KServe inference-logger CloudEvents (V1 and V2), paired by ce-id, each inference once', async () => {
    const isvc = `gw-${run}-kserve`;
    const kserve = (path: string, init: RequestInit) => fetch(`${http}/v1/kserve/${path}`, init);
    // Posted as the logger does: binary mode, the token in the URL (it cannot set headers).
    const log = (type: 'request' | 'response', ceId: string, body: unknown) =>
      kserve(`events?token=${token}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': ceId,
          'ce-type': `org.kubeflow.serving.inference.${type}`,
          'ce-source': `http://localhost:9081/`,
          'ce-time': '2026-12-04T10:00:00.250Z',
          'ce-inferenceservicename': isvc,
          'ce-namespace': 'models',
          'ce-component': 'predictor',
          'ce-endpoint': 'default',
        },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const features = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
    const iris = ['setosa', 'versicolor', 'virginica'];

    expect((await log('request', `${run}-none`, { instances: [[1, 2, 3, 4]] })).body.error.field).toBe('ce-inferenceservicename'); // no mapping yet
    const put = (mapping: unknown, who = `admin-${run}`) =>
      kserve(`mappings/${isvc}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${who}` },
        body: JSON.stringify(mapping),
      });
    expect((await put({ modelId: isvc, probabilities: { classes: iris } }, token)).status).toBe(403); // setting a mapping takes an admin
    const bad = await put({ modelId: isvc });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.field).toBe('probabilities');
    const mapping = {
      modelId: isvc,
      modelVersion: 'v1',
      projectId: `p-${run}`,
      input: { tensor: 'input-0', features },
      probabilities: { tensor: 'output-0', classes: iris },
      predictedClass: { classes: iris },
    };
    expect((await put(mapping)).status).toBe(200);

    const v1Response = {
      predictions: [
        [0.1, 0.7, 0.2],
        [0.05, 0.15, 0.8],
      ],
    };
    // V1 (sklearn predict_proba): the response arrives first, then the request; then the logger repeats the response.
    expect((await log('response', `${run}-v1`, v1Response)).body).toEqual({ status: 'pending' });
    expect(
      (
        await log('request', `${run}-v1`, {
          instances: [
            [6.8, 2.8, 4.8, 1.4],
            [6.0, 3.4, 4.5, 1.6],
          ],
        })
      ).body,
    ).toEqual({ status: 'ingested', accepted: 2, duplicates: 0 });
    expect((await log('response', `${run}-v1`, v1Response)).body).toEqual({ status: 'duplicate' });
    // V2 (Open Inference Protocol), request first.
    const v2Request = { id: `${run}-v2`, inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] };
    const v2Response = {
      model_name: isvc,
      model_version: 'v2.0.0',
      id: `${run}-v2`,
      outputs: [{ name: 'output-0', shape: [1, 3], datatype: 'FP32', data: [0.9, 0.06, 0.04] }],
    };
    expect((await log('request', `${run}-v2`, v2Request)).body).toEqual({ status: 'pending' });
    expect((await log('response', `${run}-v2`, v2Response)).body).toEqual({ status: 'ingested', accepted: 1, duplicates: 0 });
    // A response that does not fit the mapping is refused naming the field; its request keeps waiting.
    expect((await log('request', `${run}-v2bad`, v2Request)).body).toEqual({ status: 'pending' });
    const misfit = await log('response', `${run}-v2bad`, { ...v2Response, outputs: [{ name: 'output-0', shape: [1, 2], datatype: 'FP32', data: [0.5, 0.5] }] });
    expect(misfit).toEqual({
      status: 400,
      body: { error: { code: 'INVALID_ARGUMENT', field: 'response (probabilities) row 0', message: expect.stringContaining('has 2 values for 3 classes') } },
    });
    expect((await log('response', `${run}-v2bad`, v2Response)).body).toEqual({ status: 'ingested', accepted: 1, duplicates: 0 });

    await eventually(async () => downstream(isvc).length >= 4, '4 KServe events downstream', 30_000);
    await eventually(async () => (await referenceSize(isvc)) === 4, 'drift detection applied the 4 KServe events', 60_000, 300);
    await new Promise((r) => setTimeout(r, 2000));
    expect(
      downstream(isvc)
        .map((s) => `${s.eventId} ${s.label}`)
        .sort(),
    ).toEqual([`kserve:${run}-v1:0 versicolor`, `kserve:${run}-v1:1 virginica`, `kserve:${run}-v2:0 setosa`, `kserve:${run}-v2bad:0 setosa`]);
    expect(await referenceSize(isvc)).toBe(4);
  });
});
