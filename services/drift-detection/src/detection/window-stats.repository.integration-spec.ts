/**
 * Each tested window's statistics are stored in the consumer's transaction and kept for the
 * last DRIFT_WINDOW_HISTORY windows of each model, on the real PostgreSQL server.
 */
import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { DriftConfigSchema, GroundTruth_Source, PredictionEvent, PredictionEventSchema } from '@labelloop/contracts';
import { cbpeAccuracy, fitCbpe, Mulberry32 } from '@labelloop/drift-stats';
import { ConsumedEvent, Outbox } from '@labelloop/messaging';
import { createServiceDataSource, migrate } from '@labelloop/persistence';
import { driftConfigSchema } from '../drift.config';
import { migrations } from '../migrations';
import { DriftPredictionConsumer } from './prediction.consumer';
import { StateRepository } from './state.repository';
import { WindowStatsRepository } from './window-stats.repository';

/** The stage's schema on a fresh name, and the consumer wired as the module wires it. */
async function setup(run: string, model: string) {
  const schema = `driftwin_${run}`;
  const ds = createServiceDataSource({ url: process.env.DATABASE_URL ?? '', schema, migrations });
  await ds.initialize();
  await migrate(ds);
  const env = driftConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: process.env.DATABASE_URL, DRIFT_WINDOW_HISTORY: '3' });
  const state = new StateRepository(env);
  const windows = new WindowStatsRepository(env);
  const silent = { log: () => undefined, warn: () => undefined, error: () => undefined } as unknown as LoggerService;
  const consumer = new DriftPredictionConsumer(state, new Outbox('labelloop/drift-detection'), silent, { DRIFT_MAX_FUTURE_SKEW_SECONDS: 300 }, windows);
  await ds.transaction((em) => state.saveConfig(em, model, create(DriftConfigSchema, { modelId: model, referenceSize: 20, windowSize: 20, alpha: 0.01 })));
  return { ds, schema, windows, consumer };
}

describe('drift window statistics (real PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const model = `m-${run}`;
  let t: Awaited<ReturnType<typeof setup>>;

  beforeAll(async () => {
    t = await setup(run, model);
  });
  afterAll(async () => {
    await t?.ds.query(`DROP SCHEMA "${t.schema}" CASCADE`).catch(() => undefined);
    await t?.ds.destroy();
  });

  const event = (i: number, shift: number): ConsumedEvent<PredictionEvent> => {
    const message = create(PredictionEventSchema, {
      eventId: `ev-${run}-${i}`,
      modelId: model,
      modelVersion: '1',
      predictedLabel: 'ham',
      confidence: 0.9,
      numericFeatures: { length: shift + (i % 11) },
    });
    return {
      id: message.eventId,
      envelope: {} as ConsumedEvent<PredictionEvent>['envelope'],
      topic: 't',
      partition: 0,
      offset: String(i),
      key: model,
      message,
      value: Buffer.alloc(0),
    };
  };
  const send = (from: number, n: number, shift: number) =>
    t.ds.transaction((em) =>
      t.consumer.handle(
        Array.from({ length: n }, (_, k) => event(from + k, shift)),
        em,
      ),
    );

  it('stores every tested window with its tests, newest first, and keeps the last DRIFT_WINDOW_HISTORY', async () => {
    await send(0, 20, 0); // the reference
    await send(20, 20, 0); // window 1: like the reference
    await send(40, 20, 30); // window 2: shifted, opens an episode
    let got = await t.windows.list(t.ds, model, 10);
    expect(got.map((w) => w.outcome)).toEqual(['opened', 'tested']);
    const [opened, clean] = got;
    const [alert] = await t.ds.query(`SELECT open_alert_id FROM "${t.schema}".drift_model_state WHERE model_id = $1`, [model]);
    expect(opened.alertId).toBe(alert.open_alert_id);
    expect(clean.alertId).toBeNull();
    const length = opened.features.find((f) => f.feature === 'num.length');
    // KS on two disjoint samples of 20: D = 1, p far below alpha (threshold reported as alpha).
    expect(length).toMatchObject({ method: 'ks', statistic: 1, threshold: 0.01, drifted: true });
    expect(clean.features.find((f) => f.feature === 'num.length')).toMatchObject({ method: 'ks', threshold: 0.01, drifted: false });

    await send(60, 20, 30);
    await send(80, 20, 30);
    got = await t.windows.list(t.ds, model, 10);
    // Four windows tested, three kept: the first (clean) one was deleted.
    expect(got.map((w) => w.outcome)).toEqual(['tested', 'tested', 'opened']);
    expect(Number((await t.ds.query(`SELECT count(*) FROM "${t.schema}".drift_window_stats`))[0].count)).toBe(3);
    expect(got.every((w) => w.alertId === opened.alertId)).toBe(true);
  });

  it("stores each window's measured and CBPE-estimated accuracy, calibrated on labelled predictions kept across restarts", async () => {
    const m2 = `m2-${run}`;
    await t.ds.transaction((em) =>
      new StateRepository(driftConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: process.env.DATABASE_URL })).saveConfig(
        em,
        m2,
        create(DriftConfigSchema, { modelId: m2, referenceSize: 20, windowSize: 100, alpha: 0.01 }),
      ),
    );
    const rng = new Mulberry32(11);
    const rows: { p: number[]; y: number; predicted: number }[] = [];
    const predictions = (from: number, n: number, labelled: boolean) =>
      Array.from({ length: n }, (_, k) => {
        const spam = rng.next();
        const truth = rng.next() < 0.5 + 0.6 * (spam - 0.5) ? 'spam' : 'ham';
        const predicted = spam >= 0.5 ? 'spam' : 'ham';
        rows.push({ p: [1 - spam, spam], y: truth === 'spam' ? 1 : 0, predicted: predicted === 'spam' ? 1 : 0 });
        const ev = event(from + k, 0);
        Object.assign(ev.message, {
          modelId: m2,
          predictedLabel: predicted,
          confidence: Math.max(spam, 1 - spam),
          classProbabilities: { ham: 1 - spam, spam },
          groundTruth: labelled ? { label: truth, source: GroundTruth_Source.DELAYED_LABEL } : undefined,
        });
        return ev;
      });
    // The reference and one window, every prediction labelled: 120 calibration rows.
    await t.ds.transaction((em) => t.consumer.handle(predictions(1000, 120, true), em));
    const labelled = rows.slice(20);
    // A restarted replica (no cached state: the calibration is read back) tests the next window, with no labels.
    const consumer = new DriftPredictionConsumer(
      new StateRepository(driftConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: process.env.DATABASE_URL })),
      new Outbox('labelloop/drift-detection'),
      { log: () => undefined, warn: () => undefined, error: () => undefined } as unknown as LoggerService,
      { DRIFT_MAX_FUTURE_SKEW_SECONDS: 300 },
      t.windows,
    );
    await t.ds.transaction((em) => consumer.handle(predictions(2000, 100, false), em));
    const [unlabelled, first] = await t.windows.list(t.ds, m2, 10);
    expect(first.accuracy).toMatchObject({ labelled: 100, calibration: 120, measured: labelled.filter((r) => r.y === r.predicted).length / 100 });
    const model = fitCbpe({ probabilities: rows.slice(0, 120).map((r) => r.p), truth: rows.slice(0, 120).map((r) => r.y) });
    const expected = cbpeAccuracy(
      model,
      rows.slice(120).map((r) => ({ probabilities: r.p, predicted: r.predicted })),
    );
    expect(unlabelled.accuracy.measured).toBeUndefined();
    expect(unlabelled.accuracy).toMatchObject({ labelled: 0, calibration: 120 });
    expect(unlabelled.accuracy.estimated).toBeCloseTo(expected, 12);
  });
});
