/**
 * GetSamplingBudget against the decisions the sampler made, on the real PostgreSQL server and
 * the real Kafka broker. A model with caps of 3 per hour, 5 per day and 6 in total receives four
 * low-confidence predictions in each of three batches (hour 10:00, hour 11:00, the next day):
 * the budget grants 3, 2 and 1. After each batch the RPC's used, limit and left equal those
 * figures exactly, the decisions listed add up to the total used, and the requests the outbox
 * relay publishes to `labelloop.annotation.requested.v1` are as many. Audit samples are outside
 * the budget. The sampler's clock (Date.now) is set per batch so the hour and day are known; the
 * broker's clients start only after it is restored (kafkajs times its requests with Date.now).
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import {
  AnnotationRequestedSchema,
  BudgetWindow,
  GetSamplingBudgetResponse,
  PredictionEvent,
  PredictionEventSchema,
  SamplingPolicySchema,
  Topics,
} from '@labelloop/contracts';
import { ConsumedEvent, Outbox, OutboxRelay } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import type { RpcContext } from '@labelloop/rpc';
import { eventually, startGroupsAt, testKafka, topicEnds } from '@labelloop/testing';
import { PolicyRepository } from '../policy/policy.repository';
import { samplingConfigSchema } from '../sampling.config';
import { migrations } from '../migrations';
import { ModelStateRepository } from './model-state.repository';
import { PredictionConsumer } from './prediction.consumer';
import { RequestWriter } from './request.writer';
import { SamplingGrpc } from './sampling.grpc';

const dbUrl = process.env.DATABASE_URL ?? '';
const H = 3_600_000;
/** 10:30 UTC: mid-hour, so every figure below belongs to a known hour and day. */
const T0 = Date.UTC(2026, 11, 5, 10, 30);

describe('GetSamplingBudget after known sampling decisions (real PostgreSQL and Kafka)', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `samplingtest_budget_${run}`;
  const project = `p-${run}`;
  const model = `m-${run}`;
  const audited = `audit-${run}`;
  const kafka = testKafka();
  const group = `budget-reader-${run}`;
  let ds: DataSource;
  let grpcImpl: SamplingGrpc;
  let consumer: PredictionConsumer;
  let relay: OutboxRelay;
  let clock = T0;
  const published = new Map<string, number>();
  const reader = kafka.consumer({ groupId: group });
  const principal = (roles: string[], projects: string[]) =>
    ({ principal: { subject: 'lead', roles, projects }, path: '', metadata: new grpc.Metadata(), signal: new AbortController().signal }) as RpcContext;
  const admin = principal(['admin'], [project]);
  const reviewer = principal(['reviewer'], [project]);

  beforeAll(async () => {
    ds = createServiceDataSource({ url: dbUrl, schema, migrations });
    await ds.initialize();
    await migrate(ds);
    const config = samplingConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: dbUrl, SAMPLING_PROJECT_ID: project });
    const policies = new PolicyRepository(config);
    const states = new ModelStateRepository();
    grpcImpl = new SamplingGrpc(ds, policies, states);
    consumer = new PredictionConsumer(policies, states, new RequestWriter(new Outbox('labelloop/sampling'), new Metrics(`sampling-budget-${run}`)));
    // Read the requests topic from its current end: earlier runs' requests are not this test's.
    await startGroupsAt(kafka, [{ groupId: group, topics: [Topics.annotationRequested] }], await topicEnds(kafka, [Topics.annotationRequested]));
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await relay?.stop();
    await reader.disconnect();
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
  });

  let n = 0;
  /** `count` predictions of `modelId` at confidence 0.3 (below the default threshold 0.6), distinct content. */
  const batch = (modelId: string, count: number): ConsumedEvent<PredictionEvent>[] =>
    Array.from({ length: count }, () => {
      const i = ++n;
      const message = create(PredictionEventSchema, {
        eventId: `ev-${run}-${i}`,
        modelId,
        modelVersion: '1',
        contentHash: `sha256:${run}-${i}`,
        inputUri: `s3://inputs/${run}/${i}`,
        predictedLabel: 'ham',
        classProbabilities: { ham: 0.3, spam: 0.7 - 0.01 * (i % 10) },
        confidence: 0.3,
      });
      return {
        id: message.eventId,
        envelope: {} as ConsumedEvent<PredictionEvent>['envelope'],
        topic: Topics.predictionRecorded,
        partition: 0,
        offset: String(i),
        key: modelId,
        message,
        value: Buffer.from(toBinary(PredictionEventSchema, message)),
      };
    });
  const consume = (evs: ConsumedEvent<PredictionEvent>[]) => ds.transaction((em) => consumer.handle(evs, em));
  const figures = (r: GetSamplingBudgetResponse) =>
    r.budgets.map((b) => ({
      window: BudgetWindow[b.window],
      start: b.windowStart && new Date(timestampMs(b.windowStart)).toISOString(),
      used: Number(b.used),
      limit: Number(b.limit),
      left: b.left === undefined ? undefined : Number(b.left),
    }));
  const budget = async (modelId: string) => grpcImpl.getSamplingBudget({ modelId } as never, reviewer);
  const decisions = async (modelId: string) => (await grpcImpl.listSamplingDecisions({ modelId, limit: 1000 } as never, reviewer)).requests;

  /** Runs `f` with the sampler's clock at `clock`. */
  const at = async <T>(f: () => Promise<T>): Promise<T> => {
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => clock);
    try {
      return await f();
    } finally {
      spy.mockRestore();
    }
  };

  it('reports used, limit and left per hour, day and total exactly as the sampler granted them', async () => {
    const policy = { modelId: model, projectId: project, auditRate: 0, budgetPerHour: 3, budgetPerDay: 5, budgetTotal: 6n };
    await grpcImpl.upsertSamplingPolicy({ policy: create(SamplingPolicySchema, policy) } as never, admin);
    // Before any decision: nothing used, everything left.
    expect(figures(await budget(model)).map((b) => [b.used, b.left])).toEqual([
      [0, 3],
      [0, 5],
      [0, 6],
    ]);

    // Three batches of four: [clock, hour start, day start, granted, then (used, left) per hour, day, total].
    const steps: [number, string, string, number, [number, number][]][] = [
      [
        T0,
        '2026-12-05T10:00',
        '2026-12-05T00:00',
        3,
        [
          [3, 0],
          [3, 2],
          [3, 3],
        ],
      ], // 10:30: the hour's 3
      [
        T0 + H,
        '2026-12-05T11:00',
        '2026-12-05T00:00',
        2,
        [
          [2, 1],
          [5, 0],
          [5, 1],
        ],
      ], // 11:30: the day has 2 left
      [
        T0 + 24 * H,
        '2026-12-06T10:00',
        '2026-12-06T00:00',
        1,
        [
          [1, 2],
          [1, 4],
          [6, 0],
        ],
      ], // next day: 1 left in total
    ];
    let decided = 0;
    for (const [time, hour, day, granted, [h, d, t]] of steps) {
      clock = time;
      const r = await at(async () => (await consume(batch(model, 4)), budget(model)));
      decided += granted;
      expect({
        project: r.projectId,
        asOf: timestampMs(r.asOf!),
        available: r.available,
        budgets: figures(r),
        decisions: (await decisions(model)).length,
      }).toEqual({
        project,
        asOf: time,
        available: 0n,
        budgets: [
          { window: 'HOUR', start: `${hour}:00.000Z`, used: h[0], limit: 3, left: h[1] },
          { window: 'DAY', start: `${day}:00.000Z`, used: d[0], limit: 5, left: d[1] },
          { window: 'TOTAL', start: undefined, used: t[0], limit: 6, left: t[1] },
        ],
        decisions: decided,
      });
    }
    expect(await decisions(model)).toHaveLength(6);
  });

  it('leaves audit samples outside the budget', async () => {
    await grpcImpl.upsertSamplingPolicy(
      { policy: create(SamplingPolicySchema, { modelId: audited, projectId: project, auditRate: 1, budgetPerHour: 2 }) } as never,
      admin,
    );
    const r = await at(async () => (await consume(batch(audited, 5)), budget(audited)));
    expect(await decisions(audited)).toHaveLength(5);
    expect(figures(r).map((b) => [b.window, b.used, b.limit, b.left])).toEqual([
      ['HOUR', 0, 2, 2],
      ['DAY', 0, 0, undefined],
      ['TOTAL', 0, 0, undefined],
    ]);
  });

  it('refuses a caller without the model’s project, and a role that may not read decisions', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => grpc.status.OK,
        (e: { code?: number }) => e.code,
      );
    expect(await code(grpcImpl.getSamplingBudget({ modelId: model } as never, principal(['reviewer'], [`other-${run}`])))).toBe(grpc.status.PERMISSION_DENIED);
    expect(await code(grpcImpl.getSamplingBudget({ modelId: model } as never, principal(['annotator'], [project])))).toBe(grpc.status.PERMISSION_DENIED);
    expect(await code(grpcImpl.getSamplingBudget({ modelId: '' } as never, reviewer))).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('publishes as many requests as the budget granted, plus the audit samples', async () => {
    await reader.connect();
    await reader.subscribe({ topic: Topics.annotationRequested });
    await reader.run({
      eachMessage: async ({ message }) => {
        const r = fromBinary(AnnotationRequestedSchema, message.value ?? new Uint8Array());
        published.set(r.modelId, (published.get(r.modelId) ?? 0) + 1);
      },
    });
    relay = new OutboxRelay({ dataSource: ds, kafka, lockName: `sampling-budget-${run}`, batchSize: 100, pollMs: 50 });
    await relay.start();
    await eventually(async () => published.get(model) === 6 && published.get(audited) === 5, 'the requests on the topic', 60_000);
    await new Promise((r) => setTimeout(r, 1000)); // nothing more arrives
    expect({ [model]: published.get(model), [audited]: published.get(audited) }).toEqual({ [model]: 6, [audited]: 5 });
  });
});
