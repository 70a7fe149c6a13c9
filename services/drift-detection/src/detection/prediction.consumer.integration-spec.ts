/**
 * A batch that rolls back must leave no trace in the detector, on the real PostgreSQL server.
 * The consumer retries a chunk after a poison event (without it) or after a failed commit
 * (whole); the events it observed before the failure are observed again on the retry, so any
 * state kept across the rollback would count them twice: the reference would fill early and
 * the window would hold events that belong to the reference.
 *
 * Found by the drift-detection e2e test, which failed in CI when the poison event happened to
 * share a chunk with reference events (its window held more than the 50 events sent).
 */
import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { DriftConfigSchema, PredictionEvent, PredictionEventSchema } from '@labelloop/contracts';
import { ConsumedEvent, Outbox, PoisonMessageError } from '@labelloop/messaging';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import { driftConfigSchema } from '../drift.config';
import { DriftPredictionConsumer } from './prediction.consumer';
import { StateRepository } from './state.repository';
import { migrations } from '../migrations';

const dbUrl = process.env.DATABASE_URL ?? '';

describe('drift-detection state across rolled-back batches (real PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `drifttest_${run}`;
  const model = `m-${run}`;
  let ds: DataSource;
  let repo: StateRepository;
  let consumer: DriftPredictionConsumer;
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined } as unknown as LoggerService;

  beforeAll(async () => {
    ds = createServiceDataSource({ url: dbUrl, schema, migrations });
    await ds.initialize();
    await migrate(ds);
    repo = new StateRepository(driftConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: dbUrl }));
    consumer = new DriftPredictionConsumer(repo, new Outbox('labelloop/drift-detection'), quiet, { DRIFT_MAX_FUTURE_SKEW_SECONDS: 300 });
    await ds.transaction((em) => repo.saveConfig(em, model, create(DriftConfigSchema, { modelId: model, referenceSize: 20, windowSize: 20 })));
  });
  afterAll(async () => {
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
  });

  const event = (i: number, embedding = [0.1 * (i % 7), 0.2, 0.3], modelId = model): ConsumedEvent<PredictionEvent> => {
    const message = create(PredictionEventSchema, {
      eventId: `ev-${run}-${modelId}-${i}`,
      modelId,
      modelVersion: '1',
      predictedLabel: i % 3 ? 'ham' : 'spam',
      confidence: 0.5 + (i % 5) / 10,
      numericFeatures: { length: i % 11 },
      embedding,
    });
    return {
      id: `ev-${run}-${modelId}-${i}`,
      envelope: {} as ConsumedEvent<PredictionEvent>['envelope'],
      topic: 't',
      partition: 0,
      offset: String(i),
      key: modelId,
      message,
      value: Buffer.from(toBinary(PredictionEventSchema, message)),
    };
  };
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => event(from + k));

  async function stored(modelId = model): Promise<{ reference: number; window: number }> {
    const [row] = await ds.query(`SELECT reference, window_state FROM "${schema}".drift_model_state WHERE model_id = $1`, [modelId]);
    return { reference: row.reference.length, window: row.window_state.window.length };
  }

  /** What the event consumer does with a chunk: a transaction per attempt, poison events dropped on retry. */
  async function apply(chunk: ConsumedEvent<PredictionEvent>[], failCommitOnce = false, via = consumer): Promise<string[]> {
    const poisoned: string[] = [];
    for (;;) {
      const live = chunk.filter((e) => !poisoned.includes(e.id));
      try {
        await ds.transaction(async (em) => {
          await via.handle(live, em);
          if (failCommitOnce) {
            failCommitOnce = false;
            throw new Error('connection lost before commit');
          }
        });
        return poisoned;
      } catch (err) {
        if (err instanceof PoisonMessageError) poisoned.push(err.eventId);
        else if (!(err as Error).message.includes('before commit')) throw err;
      }
    }
  }

  it('counts each event once when a poison event rolls back the chunk it shares with valid events', async () => {
    expect(await apply(range(0, 10))).toEqual([]); // committed: the state is now cached
    expect(await stored()).toEqual({ reference: 10, window: 0 });

    // Five more reference events, then one with a 2-dimensional embedding (the model's is 3).
    const poisoned = await apply([...range(10, 15), event(15, [1, 2]), ...range(16, 18)]);
    expect(poisoned).toEqual([`ev-${run}-${model}-15`]);
    expect(await stored()).toEqual({ reference: 17, window: 0 });

    // The reference fills at exactly 20: three more complete it, two go to the window.
    await apply(range(18, 23));
    expect(await stored()).toEqual({ reference: 20, window: 2 });
  });

  it('counts each event once when the commit of a chunk fails and the chunk is retried whole', async () => {
    await apply(range(100, 106), true);
    expect(await stored()).toEqual({ reference: 20, window: 8 });
  });

  it("dead-letters an embedding of another length in the very chunk whose first event starts the model's reference", async () => {
    const fresh = `c-${run}`;
    await ds.transaction((em) => repo.saveConfig(em, fresh, create(DriftConfigSchema, { modelId: fresh, referenceSize: 20, windowSize: 20 })));
    // No reference yet: the first event sets the length (3), the fourth has 2, the sixth 4.
    const chunk = [0, 1, 2].map((i) => event(i, undefined, fresh));
    chunk.push(event(3, [1, 2], fresh), event(4, undefined, fresh), event(5, [1, 2, 3, 4], fresh));
    expect(await apply(chunk)).toEqual([`ev-${run}-${fresh}-3`, `ev-${run}-${fresh}-5`]);
    expect(await stored(fresh)).toEqual({ reference: 4, window: 0 });
  });

  it('keeps at most DRIFT_STATE_CACHE_MODELS models in memory, and an evicted model continues from its stored state', async () => {
    const small = new StateRepository(driftConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: dbUrl, DRIFT_STATE_CACHE_MODELS: '1' }));
    const via = new DriftPredictionConsumer(small, new Outbox('labelloop/drift-detection'), quiet, { DRIFT_MAX_FUTURE_SKEW_SECONDS: 300 });
    const [a, b] = [`a-${run}`, `b-${run}`];
    for (const m of [a, b]) await ds.transaction((em) => small.saveConfig(em, m, create(DriftConfigSchema, { modelId: m, referenceSize: 20, windowSize: 20 })));
    const events = (m: string, from: number, to: number) => Array.from({ length: to - from }, (_, k) => event(from + k, undefined, m));
    // Alternating models: each chunk finds the other model's state evicted and reads its own back.
    for (const [from, to] of [
      [0, 10],
      [10, 25],
    ]) {
      for (const m of [a, b]) {
        await apply(events(m, from, to), false, via);
        expect(small.cachedModels).toBe(1);
      }
    }
    expect(await stored(a)).toEqual({ reference: 20, window: 5 });
    expect(await stored(b)).toEqual({ reference: 20, window: 5 });
  });
});
