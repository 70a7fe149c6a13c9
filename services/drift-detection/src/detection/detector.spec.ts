/**
 * Calibration and power of the drift detector on seeded synthetic streams (pure; no Kafka).
 * The statistics under it are checked against SciPy in libs/drift-stats.
 */
import { create } from '@bufbuild/protobuf';
import { DriftConfigSchema, WindowKind } from '@labelloop/contracts';
import { Mulberry32 } from '@labelloop/drift-stats';
import { resolveConfig, ResolvedConfig } from './drift-config';
import { Detector, emptyState, Verdict } from './detector';
import type { Snap } from './snapshot';

const defaults = { referenceSize: 500, windowSize: 200, alpha: 0.05, resolveAfter: 2 };

/** A stationary stream: 3 numeric features N(0,1), one categorical, model outputs, a 4-d embedding. */
function stream(seed: number, shift: (i: number) => { mean?: number; newCategory?: boolean; newClass?: boolean } = () => ({})) {
  const rng = new Mulberry32(seed);
  const u = () => rng.next();
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  let i = 0;
  return (): Snap => {
    const s = shift(i);
    const conf = 0.5 + 0.5 * u();
    const snap: Snap = {
      id: `e${i}`,
      t: i * 1000,
      num: { f0: normal() + (s.mean ?? 0), f1: normal(), f2: normal() },
      cat: { region: s.newCategory ? 'mars' : (['eu', 'us', 'apac'][Math.floor(u() * 3)] as string) },
      conf,
      label: s.newClass ? 'phishing' : u() < 0.3 ? 'spam' : 'ham',
      emb: [normal(), normal(), normal(), normal()],
    };
    i++;
    return snap;
  };
}

function run(cfg: ResolvedConfig, next: () => Snap, events: number): { verdicts: Verdict[]; detector: Detector } {
  const d = new Detector(emptyState('1'), cfg);
  const verdicts: Verdict[] = [];
  for (let k = 0; k < events; k++) {
    const v = d.observe(next());
    if (v.kind !== 'none') verdicts.push(v);
  }
  return { verdicts, detector: d };
}

describe('drift detector', () => {
  const cfg = resolveConfig(undefined, defaults);

  it('false-alarm rate per window stays within 1.5 x alpha on stationary streams (1000 windows)', () => {
    // 10 independent streams (own reference each) x 100 tumbling windows of 200 events.
    let windows = 0;
    let alarms = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const { verdicts } = run(cfg, stream(seed), cfg.referenceSize + 100 * cfg.windowSize);
      for (const v of verdicts) {
        if (v.kind === 'none') continue;
        windows++;
        if (v.result.drifted) alarms++;
      }
    }
    expect(windows).toBe(1000);
    expect(alarms / windows).toBeLessThanOrEqual(1.5 * cfg.alpha);
  });

  it('detects a 0.5 sigma mean shift in one feature within 500 events', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const shiftAt = cfg.referenceSize + 1000;
      const { verdicts } = run(
        cfg,
        stream(seed, (i) => ({ mean: i >= shiftAt ? 0.5 : 0 })),
        shiftAt + 500,
      );
      const after = verdicts.slice(-Math.floor(500 / cfg.windowSize)); // windows fully after the shift
      const hit = after.find((v) => v.kind !== 'none' && v.result.tests.some((t) => t.feature === 'num.f0' && t.drifted));
      expect(hit).toBeDefined();
    }
  });

  it('flags a new category and a new predicted class within one window', () => {
    const at = cfg.referenceSize + 400;
    const { verdicts } = run(
      cfg,
      stream(3, (i) => ({ newCategory: i === at + 5, newClass: i === at + 7 })),
      at + cfg.windowSize,
    );
    const first = verdicts.find((v) => v.kind === 'opened');
    expect(
      first &&
        first.kind !== 'none' &&
        first.result.tests
          .filter((t) => t.drifted)
          .map((t) => `${t.feature}:${t.method}`)
          .sort(),
    ).toEqual(['cat.region:unseen_categories', 'predicted_label:new_classes']);
  });

  it('opens one episode per sustained drift and resolves it after clean windows (no alert storm)', () => {
    const start = cfg.referenceSize + 400;
    const end = start + 2000;
    const { verdicts } = run(
      cfg,
      stream(5, (i) => ({ mean: i >= start && i < end ? 1 : 0 })),
      end + 1000,
    );
    expect(verdicts.filter((v) => v.kind === 'opened')).toHaveLength(1);
    expect(verdicts.filter((v) => v.kind === 'resolved')).toHaveLength(1);
  });

  it('slides count windows and time windows', () => {
    const sliding = resolveConfig(create(DriftConfigSchema, { windowSize: 200, windowSlide: 50 }), defaults);
    const { verdicts } = run(sliding, stream(7), sliding.referenceSize + 1000);
    expect(verdicts).toHaveLength((1000 - 200) / 50 + 1);
    const timed = resolveConfig(create(DriftConfigSchema, { windowKind: WindowKind.TIME, windowSeconds: 300, slideSeconds: 100 }), defaults);
    const t = run(timed, stream(7), timed.referenceSize + 1000); // one event per second
    expect(t.verdicts.length).toBeGreaterThanOrEqual(9);
    expect(t.detector.state.window.length).toBeLessThanOrEqual(301);
  });

  it('keeps memory bounded however long the stream runs', () => {
    const { detector } = run(cfg, stream(9), 50_000);
    expect(detector.state.reference).toHaveLength(cfg.referenceSize);
    expect(detector.state.window.length).toBeLessThan(cfg.windowSize);
  });

  it('refuses configuration outside the documented ranges, naming the field', () => {
    expect(() => resolveConfig(create(DriftConfigSchema, { windowSize: 10 }), defaults)).toThrow(/^window_size: must be in \[20, 5000\]/);
    expect(() => resolveConfig(create(DriftConfigSchema, { alpha: 0.9 }), defaults)).toThrow(/^alpha/);
  });
});
