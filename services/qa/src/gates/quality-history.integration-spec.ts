/**
 * GetQualityHistory on the real PostgreSQL server: submissions go through the QA consumer as
 * production delivers them, and the RPC returns each project's agreement buckets (bounded to
 * QA_AGREEMENT_HISTORY) and its judged batches with the figures and thresholds they were judged
 * on. Every figure below is worked by hand from the answers submitted.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { AnnotationSubmitted, AnnotationSubmittedSchema, LabelSchema, QaPolicySchema } from '@labelloop/contracts';
import { ConsumedEvent, Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import type { RpcContext } from '@labelloop/rpc';
import { migrations } from '../migrations';
import { QaPolicyRepository } from '../policy/policy.repository';
import { qaConfigSchema } from '../qa.config';
import { QaGrpc } from './qa.grpc';
import { SubmissionConsumer } from './submission.consumer';

const dbUrl = process.env.DATABASE_URL ?? '';

describe('GetQualityHistory (real PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `qatest_history_${run}`;
  const history = `ph-${run}`;
  const gated = `pg-${run}`;
  let ds: DataSource;
  let consumer: SubmissionConsumer;
  let policies: QaPolicyRepository;
  let grpcImpl: QaGrpc;
  const as = (projects: string[]): RpcContext => ({
    principal: { subject: 'lead', roles: ['reviewer'], projects },
    path: '',
    metadata: new grpc.Metadata(),
    signal: new AbortController().signal,
  });

  beforeAll(async () => {
    ds = createServiceDataSource({ url: dbUrl, schema, migrations });
    await ds.initialize();
    await migrate(ds);
    const config = qaConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: dbUrl, QA_AGREEMENT_BUCKET_ROUNDS: '2', QA_AGREEMENT_HISTORY: '2' });
    policies = new QaPolicyRepository(config);
    consumer = new SubmissionConsumer(config, new Outbox('labelloop/qa'), new Metrics('qa-history-test'), policies);
    grpcImpl = new QaGrpc(ds, policies);
    await ds.transaction(async (em) => {
      await policies.put(em, create(QaPolicySchema, { projectId: history, method: 'majority', minConfidence: 0.6 }));
      await policies.put(
        em,
        create(QaPolicySchema, { projectId: gated, method: 'majority', minConfidence: 0.5, batchSize: 2, minBatchKappa: 0.5, minBatchGoldAccuracy: 0.8 }),
      );
    });
  });
  afterAll(async () => {
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
  });

  const label = (c: string) => create(LabelSchema, { value: { case: 'classification', value: { classes: [c] } } });
  const event = (
    project: string,
    item: string,
    annotator: string,
    answer: string,
    opts: { required: number; gold?: string },
  ): ConsumedEvent<AnnotationSubmitted> => {
    const message = create(AnnotationSubmittedSchema, {
      submissionId: `${project}-${item}-${annotator}`,
      itemId: `${project}-${item}`,
      projectId: project,
      annotatorId: annotator,
      requiredAnswers: opts.required,
      label: label(answer),
      gold: opts.gold !== undefined,
      goldLabel: opts.gold === undefined ? undefined : label(opts.gold),
    });
    const id = `ev-${message.submissionId}`;
    return {
      id,
      envelope: {} as never,
      topic: 't',
      partition: 0,
      offset: '0',
      key: message.itemId,
      message,
      value: Buffer.from(toBinary(AnnotationSubmittedSchema, message)),
    };
  };
  /** One item's round: one answer per annotator (a, b, c), delivered in one transaction. */
  const round = (project: string, item: string, answers: string[]) =>
    ds.transaction((em) =>
      consumer.handle(
        answers.map((a, k) => event(project, item, 'abc'[k], a, { required: answers.length })),
        em,
      ),
    );
  const gold = (project: string, item: string, annotator: string, answer: string, truth: string) =>
    ds.transaction((em) => consumer.handle([event(project, item, annotator, answer, { required: 1, gold: truth })], em));

  it('returns agreement per bucket of completed rounds, newest first, keeping the last QA_AGREEMENT_HISTORY', async () => {
    await round(history, 'h1', ['spam', 'spam', 'spam']); // accepted, 3 of 3 agree
    await round(history, 'h2', ['spam', 'spam', 'ham']); // accepted (0.67 >= 0.6), 2 of 3
    await round(history, 'h3', ['spam', 'ham']); // tie: sent back, 1 of 2
    await round(history, 'h4', ['ham', 'ham', 'ham']); // accepted, 3 of 3
    await round(history, 'h5', ['ham']); // no overlap: not part of the history
    await round(history, 'h6', ['ham', 'spam', 'ham']); // accepted, 2 of 3

    const res = await grpcImpl.getQualityHistory({ projectId: history, bucketLimit: 0, batchLimit: 0 } as never, as([history]));
    // Buckets of 2 rounds: {h1, h2} = 5 of 6 (deleted: only the last 2 buckets are kept), {h3, h4} = 4 of 5, {h6} = 2 of 3.
    expect(
      res.buckets.map(({ bucketNo, rounds, answers, agreeing, agreement, sentBack }) => ({ bucketNo, rounds, answers, agreeing, agreement, sentBack })),
    ).toEqual([
      { bucketNo: 3, rounds: 1, answers: 3, agreeing: 2, agreement: 2 / 3, sentBack: 0 },
      { bucketNo: 2, rounds: 2, answers: 5, agreeing: 4, agreement: 4 / 5, sentBack: 1 },
    ]);
    const [newest, older] = res.buckets;
    expect(timestampMs(newest.firstAt!)).toBeGreaterThanOrEqual(timestampMs(older.lastAt!));
    expect(timestampMs(older.lastAt!)).toBeGreaterThanOrEqual(timestampMs(older.firstAt!));
    expect(res.batches).toEqual([]);
    expect(Number((await ds.query(`SELECT count(*) FROM "${schema}".qa_agreement_bucket WHERE project_id = $1`, [history]))[0].count)).toBe(2);

    // A redelivered round changes no bucket.
    await round(history, 'h6', ['ham', 'spam', 'ham']);
    const again = await grpcImpl.getQualityHistory({ projectId: history, bucketLimit: 1, batchLimit: 0 } as never, as([history]));
    expect(again.buckets.map((b) => [b.bucketNo, b.rounds, b.answers, b.agreeing])).toEqual([[3, 1, 3, 2]]);
  });

  it('returns the judged batches newest first with their kappa, gold accuracy, thresholds and reason', async () => {
    // Batch 1: a right gold answer, then two unanimous items: kappa 1, gold accuracy 1: passed.
    await gold(gated, 'gold1', 'a', 'spam', 'spam');
    await round(gated, 'g1', ['spam', 'spam', 'spam']);
    await round(gated, 'g2', ['ham', 'ham', 'ham']);
    // Batch 2: a wrong gold answer, then two 2-1 splits: Fleiss' kappa (P = 1/3, Pe = 1/2) = -1/3, gold accuracy 0: failed.
    await gold(gated, 'gold2', 'b', 'ham', 'spam');
    await round(gated, 'g3', ['spam', 'spam', 'ham']);
    await round(gated, 'g4', ['ham', 'ham', 'spam']);
    // Batch 3 stays open (one item held): not listed.
    await round(gated, 'g5', ['spam', 'spam', 'spam']);

    const res = await grpcImpl.getQualityHistory({ projectId: gated, bucketLimit: 0, batchLimit: 0 } as never, as([gated]));
    expect(res.batches.map(({ closedAt, ...b }) => ({ ...b, closed: closedAt !== undefined }))).toEqual([
      {
        batchNo: 2,
        passed: false,
        items: 2,
        kappa: expect.closeTo(-1 / 3, 12),
        minKappa: 0.5,
        goldAnswers: 1,
        goldAccuracy: 0,
        minGoldAccuracy: 0.8,
        reason: "Fleiss' kappa -0.333 over 2 items is below 0.5; gold accuracy 0.000 over 1 gold answers is below 0.8",
        policyVersion: `${gated}/v1`,
        closed: true,
      },
      {
        batchNo: 1,
        passed: true,
        items: 2,
        kappa: 1,
        minKappa: 0.5,
        goldAnswers: 1,
        goldAccuracy: 1,
        minGoldAccuracy: 0.8,
        reason: '',
        policyVersion: `${gated}/v1`,
        closed: true,
      },
    ]);
    expect(timestampMs(res.batches[0].closedAt!)).toBeGreaterThanOrEqual(timestampMs(res.batches[1].closedAt!));
    // The overlap rounds are in the agreement history too: {g3, g4} 4 of 6, {g5} 3 of 3 ({g1, g2} is beyond the history).
    expect(res.buckets.map((b) => [b.bucketNo, b.rounds, b.answers, b.agreeing])).toEqual([
      [3, 1, 3, 3],
      [2, 2, 6, 4],
    ]);
    const one = await grpcImpl.getQualityHistory({ projectId: gated, bucketLimit: 0, batchLimit: 1 } as never, as([gated]));
    expect(one.batches.map((b) => b.batchNo)).toEqual([2]);
  });

  it('refuses a caller without the project, and limits beyond the maximum', async () => {
    const denied = await grpcImpl.getQualityHistory({ projectId: gated, bucketLimit: 0, batchLimit: 0 } as never, as([history])).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    const tooMany = await grpcImpl.getQualityHistory({ projectId: gated, bucketLimit: 1001, batchLimit: 0 } as never, as([gated])).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });
});
