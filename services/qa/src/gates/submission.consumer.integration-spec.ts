/**
 * Scorecard updates from partitions processed in parallel, on the real PostgreSQL server. Two
 * batches touch the same two annotators in opposite orders and are forced to interleave (each
 * pauses after its first scorecard write until the other has written too, or 1.5 s): without
 * the per-project lock the second write of each waits on the other and PostgreSQL aborts one
 * with a deadlock (40P01); with it the second batch waits for the first, both commit, and every
 * count is exact. A redelivered batch then changes no figure.
 */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { AnnotationSubmitted, AnnotationSubmittedSchema, LabelSchema } from '@labelloop/contracts';
import { ConsumedEvent, Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import { createServiceDataSource, DataSource, EntityManager, migrate } from '@labelloop/persistence';
import { qaConfigSchema } from '../qa.config';
import { CreateQaTables1732350000000 } from '../qa.migration';
import { QaScorecards1732420000000 } from '../qa-v2.migration';
import { QaGuidelineReviews1732460000000 } from '../qa-v3.migration';
import { SubmissionConsumer } from './submission.consumer';

const dbUrl = process.env.DATABASE_URL ?? '';

describe('QA submissions in parallel partitions (real PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `qatest_${run}`;
  let ds: DataSource;
  let consumer: SubmissionConsumer;

  beforeAll(async () => {
    ds = createServiceDataSource({ url: dbUrl, schema, migrations: [CreateQaTables1732350000000, QaScorecards1732420000000, QaGuidelineReviews1732460000000] });
    await ds.initialize();
    await migrate(ds);
    consumer = new SubmissionConsumer(qaConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: dbUrl }), new Outbox('labelloop/qa'), new Metrics('qa-test'));
  });
  afterAll(async () => {
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
  });

  const submission = (annotator: string, item: string): ConsumedEvent<AnnotationSubmitted> => ({
    id: `ev-${annotator}-${item}`,
    envelope: {} as ConsumedEvent<AnnotationSubmitted>['envelope'],
    topic: 't',
    partition: 0,
    offset: '0',
    key: item,
    message: create(AnnotationSubmittedSchema, {
      submissionId: `sub-${annotator}-${item}`,
      itemId: `${item}-${run}`,
      projectId: `p-${run}`,
      annotatorId: annotator,
      requiredAnswers: 2,
      timeSpentMs: 1000,
      label: create(LabelSchema, { value: { case: 'classification', value: { classes: ['spam'] } } }),
    }),
  });

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
    const results = await Promise.allSettled([ds.transaction((em) => consumer.handle(first, gate(em))), ds.transaction((em) => consumer.handle(second, gate(em)))]);
    expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : 'committed'))).toEqual(['committed', 'committed']);

    const cards = async () => ds.query(`SELECT annotator_id, answers::int, time_spent_ms::int FROM qa_annotator WHERE project_id = $1 ORDER BY annotator_id`, [`p-${run}`]);
    const expected = [
      { annotator_id: 'anna', answers: 2, time_spent_ms: 2000 },
      { annotator_id: 'ben', answers: 2, time_spent_ms: 2000 },
    ];
    expect(await cards()).toEqual(expected);

    // Redelivery of both batches (as after a rebalance): no figure changes.
    await ds.transaction((em) => consumer.handle([...second, ...first], em));
    expect(await cards()).toEqual(expected);
  });
});
