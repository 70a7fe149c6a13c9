/**
 * A time window is cut by event time. One event stamped far in the future (a producer's clock
 * years ahead) used to move the window's clock there: every later event looked older than the
 * last evaluation, and the model's windows stopped being tested until that date came.
 */
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { DriftConfigSchema, PredictionEvent, PredictionEventSchema, WindowKind } from '@labelloop/contracts';
import { Mulberry32 } from '@labelloop/drift-stats';
import { resolveConfig } from './drift-config';
import { Detector, emptyState } from './detector';
import { toSnap } from './prediction.consumer';

const YEAR_MS = 365 * 86_400_000;

describe('time windows and event time', () => {
  const cfg = resolveConfig(create(DriftConfigSchema, { windowKind: WindowKind.TIME, windowSeconds: 300, slideSeconds: 100 }), {
    referenceSize: 500,
    windowSize: 200,
    alpha: 0.05,
    resolveAfter: 2,
  });

  /** One stationary prediction per second, starting three hours ago (all in the past). */
  function events(n: number): PredictionEvent[] {
    const rng = new Mulberry32(11);
    const start = Date.now() - 3 * 3600_000;
    return Array.from({ length: n }, (_, i) =>
      create(PredictionEventSchema, {
        eventId: `e${i}`,
        modelId: 'm',
        modelVersion: '1',
        timestamp: timestampFromMs(start + i * 1000),
        predictedLabel: rng.next() < 0.3 ? 'spam' : 'ham',
        confidence: 0.5 + 0.5 * rng.next(),
        numericFeatures: { f0: rng.next() },
      }),
    );
  }

  /** Windows tested after the odd event, with the odd event placed after the reference and 400 events. */
  function windowsAfter(odd: (e: PredictionEvent) => void): { after: number; oddInWindow: boolean } {
    const stream = events(cfg.referenceSize + 2000);
    const at = cfg.referenceSize + 400;
    odd(stream[at]);
    const d = new Detector(emptyState('1'), cfg);
    let after = 0;
    let oddInWindow = false;
    stream.forEach((e, i) => {
      const v = d.observe(toSnap(e));
      if (i === at) oddInWindow = d.state.window.some((s) => s.id === e.eventId && s.t <= Date.now());
      if (i > at && v.kind !== 'none') after++;
    });
    return { after, oddInWindow };
  }

  // The odd event takes its predecessor's time, so the slides after it may shift by one event.
  it('keeps testing windows after an event stamped ten years ahead, which is windowed with its neighbours', () => {
    const normal = windowsAfter(() => undefined);
    expect(normal.after).toBeGreaterThanOrEqual(15); // 1600 s of events, a test every 100 s
    const future = windowsAfter((e) => (e.timestamp = timestampFromMs(Date.now() + 10 * YEAR_MS)));
    expect(future.after).toBeGreaterThanOrEqual(normal.after);
    expect(future.after).toBeLessThanOrEqual(normal.after + 1);
    expect(future.oddInWindow).toBe(true); // counted, not dropped
  });

  it('treats a timestamp that is no time at all (1e13 s, an Invalid Date) the same way', () => {
    const normal = windowsAfter(() => undefined);
    const invalid = windowsAfter((e) => (e.timestamp = { ...timestampFromMs(0), seconds: 10_000_000_000_000n }));
    expect(invalid.oddInWindow).toBe(true); // counted, with a time the window and an alert can hold
    expect(invalid.after).toBeGreaterThanOrEqual(normal.after);
    expect(invalid.after).toBeLessThanOrEqual(normal.after + 1);
  });
});
