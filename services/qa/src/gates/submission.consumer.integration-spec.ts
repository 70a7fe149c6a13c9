/**
 * Scorecard updates from partitions processed in parallel, on the real PostgreSQL server. Two
 * batches touch the same two annotators in opposite orders and are forced to interleave (each
 * pauses after its first scorecard write until the other has written too, or 1.5 s): without
 * the per-project lock the second write of each waits on the other and PostgreSQL aborts one
 * with a deadlock (40P01); with it the second batch waits for the first, both commit, and every
 * count is exact. A redelivered batch then changes no figure.
 */
import { randomUUID } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AnnotationSubmitted,
  AnnotationSubmittedSchema,
  LabelAcceptedSchema,
  LabelSchema,
  QaPolicySchema,
  ReworkRequestedSchema,
  Topics,
} from '@labelloop/contracts';
import { ConsumedEvent, Outbox, PoisonMessageError } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import { createServiceDataSource, DataSource, EntityManager, migrate } from '@labelloop/persistence';
import { qaConfigSchema } from '../qa.config';
import { QaPolicyRepository } from '../policy/policy.repository';
import { SubmissionConsumer } from './submission.consumer';
import { migrations } from '../migrations';

const dbUrl = process.env.DATABASE_URL ?? '';

describe('QA submissions in parallel partitions (real PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `qatest_${run}`;
  let ds: DataSource;
  let consumer: SubmissionConsumer;
  let policies: QaPolicyRepository;

  beforeAll(async () => {
    ds = createServiceDataSource({ url: dbUrl, schema, migrations });
    await ds.initialize();
    await migrate(ds);
    const config = qaConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: dbUrl });
    policies = new QaPolicyRepository(config);
    consumer = new SubmissionConsumer(config, new Outbox('labelloop/qa'), new Metrics('qa-test'), policies);
  });
  afterAll(async () => {
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
  });

  const submission = (
    annotator: string,
    item: string,
    opts: { project?: string; label?: string; required?: number; round?: number } = {},
  ): ConsumedEvent<AnnotationSubmitted> => {
    const message = create(AnnotationSubmittedSchema, {
      submissionId: `sub-${annotator}-${item}-${opts.round ?? 0}`,
      itemId: `${item}-${run}`,
      projectId: opts.project ?? `p-${run}`,
      annotatorId: annotator,
      requiredAnswers: opts.required ?? 2,
      timeSpentMs: 1000,
      label: create(LabelSchema, { value: { case: 'classification', value: { classes: [opts.label ?? 'spam'] } } }),
    });
    return {
      id: `ev-${annotator}-${item}-${opts.round ?? 0}`,
      envelope: {} as ConsumedEvent<AnnotationSubmitted>['envelope'],
      topic: 't',
      partition: 0,
      offset: '0',
      key: item,
      message,
      value: Buffer.from(toBinary(AnnotationSubmittedSchema, message)),
    };
  };

  /** Both transactions pause after their first scorecard write until the other wrote too (or 1.5 s). */
  function interleaving() {
    let arrived = 0;
    let release!: () => void;
    const both = new Promise<void>((r) => (release = r));
    return (em: EntityManager): EntityManager => {
      let paused = false;
      return new Proxy(em, {
        get(target, prop, receiver) {
          if (prop !== 'query') return Reflect.get(target, prop, receiver);
          return async (sql: string, params?: unknown[]) => {
            const rows: unknown = await target.query(sql, params);
            if (!paused && /^\s*INSERT INTO qa_annotator/.test(sql)) {
              paused = true;
              if (++arrived === 2) release();
              await Promise.race([both, new Promise((r) => setTimeout(r, 1500))]);
            }
            return rows;
          };
        },
      });
    };
  }

  it('commits both batches without a deadlock and counts every answer once', async () => {
    const gate = interleaving();
    const first = [submission('anna', 'i1'), submission('ben', 'i2')];
    const second = [submission('ben', 'i3'), submission('anna', 'i4')];
    const results = await Promise.allSettled([
      ds.transaction((em) => consumer.handle(first, gate(em))),
      ds.transaction((em) => consumer.handle(second, gate(em))),
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : 'committed'))).toEqual(['committed', 'committed']);

    const cards = async () =>
      ds.query(`SELECT annotator_id, answers::int, time_spent_ms::int FROM qa_annotator WHERE project_id = $1 ORDER BY annotator_id`, [`p-${run}`]);
    const expected = [
      { annotator_id: 'anna', answers: 2, time_spent_ms: 2000 },
      { annotator_id: 'ben', answers: 2, time_spent_ms: 2000 },
    ];
    expect(await cards()).toEqual(expected);

    // Redelivery of both batches (as after a rebalance): no figure changes.
    await ds.transaction((em) => consumer.handle([...second, ...first], em));
    expect(await cards()).toEqual(expected);
  });

  it('dead-letters a submission whose label QA cannot judge, naming the field, and writes nothing for it', async () => {
    const spans = submission('cara', 'sp1');
    spans.message.label = create(LabelSchema, { value: { case: 'spans', value: { spans: [{ start: 4, end: 4, label: 'ORG' }] } } });
    const err = await ds.transaction((em) => consumer.handle([spans], em)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PoisonMessageError);
    expect(err).toMatchObject({ eventId: spans.id, reason: 'QA cannot judge this label: label.spans.spans[0] needs end > start' });
    expect(await ds.query(`SELECT 1 FROM qa_item WHERE item_id = $1`, [`sp1-${run}`])).toEqual([]);
  });

  describe('a project with a batch gate (its own QA policy)', () => {
    const project = `pb-${run}`;
    /** The item's answers, one per annotator (a, b, c), as submissions of one round. */
    const item = (id: string, labels: string[], round = 0) =>
      labels.map((label, k) => submission(['a', 'b', 'c'][k], id, { project, label, required: labels.length, round }));
    const emitted = async () => {
      const rows: { topic: string; payload: Buffer }[] = await ds.query(`SELECT topic, payload FROM "${schema}".outbox ORDER BY id`);
      const accepted = rows
        .filter((r) => r.topic === Topics.labelAccepted)
        .map((r) => fromBinary(LabelAcceptedSchema, r.payload))
        .filter((m) => m.projectId === project);
      const rework = rows
        .filter((r) => r.topic === Topics.reworkRequested)
        .map((r) => fromBinary(ReworkRequestedSchema, r.payload))
        .filter((m) => m.projectId === project);
      return { accepted, rework };
    };
    const states = async () =>
      Object.fromEntries(
        (await ds.query(`SELECT item_id, state, round FROM "${schema}".qa_item WHERE project_id = $1 ORDER BY item_id`, [project])).map(
          (r: { item_id: string; state: string; round: number }) => [r.item_id.replace(`-${run}`, ''), `${r.state}/${r.round}`],
        ),
      );

    beforeAll(async () => {
      await ds.transaction((em) =>
        policies.put(em, create(QaPolicySchema, { projectId: project, method: 'majority', minConfidence: 0.5, batchSize: 3, minBatchKappa: 0.5 })),
      );
    });

    it('holds items until the batch is full, then accepts them together under the policy version', async () => {
      await ds.transaction((em) => consumer.handle([...item('b1', ['spam', 'spam']), ...item('b2', ['ham', 'ham'])], em));
      expect(await states()).toEqual({ b1: 'held/0', b2: 'held/0' });
      expect((await emitted()).accepted).toEqual([]);

      await ds.transaction((em) => consumer.handle(item('b3', ['spam', 'spam']), em));
      const { accepted } = await emitted();
      expect(accepted.map((a) => [a.itemId.replace(`-${run}`, ''), a.qaPolicyVersion]).sort()).toEqual([
        ['b1', `${project}/v1/majority`],
        ['b2', `${project}/v1/majority`],
        ['b3', `${project}/v1/majority`],
      ]);
      // Their ids name the project as well as the item (item ids come from the content alone):
      // the same input accepted in another project is another event, not a redelivery of this one.
      const ids: { id: string }[] = await ds.query(
        `SELECT headers->>'ce_id' AS id FROM "${schema}".outbox WHERE topic = $1 AND headers->>'ce_id' LIKE '%:b_-' || $2 ORDER BY 1`,
        [Topics.labelAccepted, run],
      );
      expect(ids.map((r) => r.id)).toEqual(['b1', 'b2', 'b3'].map((i) => `label-accepted:${project}:${i}-${run}`));
      expect(await states()).toEqual({ b1: 'accepted/0', b2: 'accepted/0', b3: 'accepted/0' });
    });

    it("sends the whole batch back when its Fleiss' kappa is below the floor, though each item passed alone", async () => {
      // 2-1 splits: each item's majority share 0.67 passes the item gate (0.5), but the batch's
      // kappa is -0.350 (P = 1/3, Pe = 41/81, worked by hand from Fleiss' definition).
      const events = [...item('c1', ['spam', 'spam', 'ham']), ...item('c2', ['ham', 'ham', 'spam']), ...item('c3', ['spam', 'spam', 'ham'])];
      await ds.transaction((em) => consumer.handle(events, em));
      const { accepted, rework } = await emitted();
      expect(accepted).toHaveLength(3); // batch 1 only
      expect(rework.map((r) => [r.itemId.replace(`-${run}`, ''), r.reason]).sort()).toEqual(
        ['c1', 'c2', 'c3'].map((i) => [i, "batch 2 failed: Fleiss' kappa -0.350 over 3 items is below 0.5"]),
      );
      expect(await states()).toMatchObject({ c1: 'pending/1', c2: 'pending/1', c3: 'pending/1' });
      const cards = await ds.query(`SELECT annotator_id, rework::int FROM "${schema}".qa_annotator WHERE project_id = $1 ORDER BY annotator_id`, [project]);
      expect(cards).toEqual([
        { annotator_id: 'a', rework: 3 },
        { annotator_id: 'b', rework: 3 },
        { annotator_id: 'c', rework: 3 },
      ]);

      // A redelivery of the batch changes nothing; the second round agrees and is accepted.
      await ds.transaction((em) => consumer.handle(events, em));
      expect((await emitted()).rework).toHaveLength(3);
      await ds.transaction((em) =>
        consumer.handle(
          ['c1', 'c2', 'c3'].flatMap((i) => item(i, ['ham', 'ham', 'ham'], 1)),
          em,
        ),
      );
      expect((await emitted()).accepted.map((a) => a.itemId.replace(`-${run}`, '')).sort()).toEqual(['b1', 'b2', 'b3', 'c1', 'c2', 'c3']);
      const batches = await ds.query(`SELECT batch_no, state, held FROM "${schema}".qa_batch WHERE project_id = $1 ORDER BY batch_no`, [project]);
      expect(batches).toEqual([
        { batch_no: 1, state: 'passed', held: 3 },
        { batch_no: 2, state: 'failed', held: 3 },
        { batch_no: 3, state: 'passed', held: 3 },
      ]);
    });

    it('judges the items still held when the batch gate is switched off, instead of leaving them waiting', async () => {
      await ds.transaction((em) => consumer.handle(item('d1', ['spam', 'spam']), em));
      expect(await states()).toMatchObject({ d1: 'held/0' });
      await ds.transaction((em) => policies.put(em, create(QaPolicySchema, { projectId: project, method: 'majority', minConfidence: 0.5, batchSize: 1 })));
      await ds.transaction((em) => consumer.handle(item('d2', ['ham', 'ham']), em));
      expect(await states()).toMatchObject({ d1: 'accepted/0', d2: 'accepted/0' });
      const versions = Object.fromEntries((await emitted()).accepted.map((a) => [a.itemId.replace(`-${run}`, ''), a.qaPolicyVersion]));
      expect(versions).toMatchObject({ d1: `${project}/v2/majority`, d2: `${project}/v2/majority` });
    });
  });
});
