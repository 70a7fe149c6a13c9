/**
 * Estimated (CBPE) and measured accuracy of tested windows, on generated predictions whose truth
 * is known. The estimator itself is checked against NannyML in libs/drift-stats (cbpe.spec.ts);
 * here: that the detector calibrates it on the version's first labelled predictions and that the
 * estimate follows the real accuracy of an unlabelled window where the model's own confidence
 * does not.
 */
import { Mulberry32 } from '@labelloop/drift-stats';
import { CALIBRATION_MIN, CALIBRATION_SIZE, windowAccuracy } from './accuracy';
import { resolveConfig } from './drift-config';
import { Detector, emptyState, EvaluatedWindow } from './detector';
import { columns, type Snap } from './snapshot';

/**
 * An overconfident spam model: it says P(spam) = p, the truth is spam with probability
 * q = 0.5 + 0.6 (p − 0.5). p lies up to `spread` from 0.5, at least `floor` (a drift that
 * pushes the scores to the extremes); `labelRate` of the predictions carry their ground truth.
 */
function predictions(seed: number) {
  const rng = new Mulberry32(seed);
  let i = 0;
  return (spread: number, labelRate: number, floor = 0): { snap: Snap; right: number } => {
    const p = 0.5 + (rng.next() < 0.5 ? -1 : 1) * (floor + (spread - floor) * rng.next());
    const q = 0.5 + 0.6 * (p - 0.5);
    const truth = rng.next() < q ? 'spam' : 'ham';
    const label = p >= 0.5 ? 'spam' : 'ham';
    const snap: Snap = { id: `e${i}`, t: i++ * 1000, num: {}, cat: {}, conf: Math.max(p, 1 - p), label, probs: { spam: p, ham: 1 - p } };
    if (rng.next() < labelRate) {
      snap.truth = truth;
      snap.correct = truth === label ? 1 : 0;
    }
    return { snap, right: truth === label ? 1 : 0 };
  };
}

describe('window accuracy', () => {
  const cfg = resolveConfig(undefined, { referenceSize: 500, windowSize: 2000, alpha: 0.01, resolveAfter: 2 });

  it('estimates an unlabelled window within 0.03 of its real accuracy, where mean confidence is off by more than 0.1', () => {
    for (const seed of [1, 2, 3]) {
      const next = predictions(seed);
      const d = new Detector(emptyState('v1'), cfg);
      // Labelled period: the reference and one window, 2,500 predictions, 30 % labelled (the
      // calibration keeps the first 500).
      for (let k = 0; k < 2500; k++) d.observe(next(0.5, 0.3).snap);
      expect(d.state.calibration?.rows).toHaveLength(CALIBRATION_SIZE);
      expect(d.state.reference.every((s) => s.probs === undefined && s.truth === undefined)).toBe(true);
      // Drift: the scores move to the extremes; no labels come. 2,000 predictions fill the next window.
      let right = 0;
      let confidence = 0;
      const verdicts: EvaluatedWindow[] = [];
      for (let k = 0; k < 2000; k++) {
        const { snap, right: r } = next(0.5, 0, 0.25);
        right += r;
        confidence += snap.conf ?? 0;
        const v = d.observe(snap);
        if (v.kind !== 'none') verdicts.push(v);
      }
      const w = verdicts.at(-1);
      const real = right / 2000;
      expect(w?.accuracy.measured).toBeUndefined();
      expect(w?.accuracy.calibration).toBe(CALIBRATION_SIZE);
      expect(Math.abs((w?.accuracy.estimated ?? NaN) - real)).toBeLessThan(0.03);
      expect(confidence / 2000 - real).toBeGreaterThan(0.1);
    }
  });

  it('fails the cbpe_drop test when the estimate falls 0.05 below the calibration, not when a shift leaves accuracy be', () => {
    const estimatedTest = (v: EvaluatedWindow) => v.result.tests.find((t) => t.feature === 'estimated_accuracy');
    for (const seed of [4, 5, 6]) {
      const next = predictions(seed);
      const small = resolveConfig(undefined, { referenceSize: 500, windowSize: 200, alpha: 0.01, resolveAfter: 2 });
      const d = new Detector(emptyState('v1'), small);
      const windows = (n: number, spread: number, floor: number, labelRate: number) => {
        const out: EvaluatedWindow[] = [];
        for (let k = 0; k < n; k++) {
          const v = d.observe(next(spread, labelRate, floor).snap);
          if (v.kind !== 'none') out.push(v);
        }
        return out;
      };
      // Calibration period (500 reference events, then 20 windows), 30 % labelled; the test speaks once calibrated.
      const calm = windows(4500, 0.5, 0, 0.3).filter((v) => estimatedTest(v));
      expect(calm.length).toBeGreaterThan(10);
      expect(calm.filter((v) => estimatedTest(v)?.drifted)).toEqual([]);
      // Scores move to the extremes: a covariate shift the confidence test sees, accuracy rises (0.65 -> 0.73).
      const shifted = windows(2000, 0.5, 0.25, 0);
      expect(shifted.every((v) => estimatedTest(v)?.drifted === false)).toBe(true);
      expect(shifted.some((v) => v.result.tests.some((t) => t.feature === 'confidence' && t.drifted))).toBe(true);
      // Scores move towards 0.5: accuracy falls (0.65 -> 0.575), no label comes, the estimate sees it.
      const unsure = windows(2000, 0.25, 0, 0);
      expect(unsure.every((v) => estimatedTest(v)?.drifted === true)).toBe(true);
    }
  });

  it('measures the labelled share of a window and gives no estimate before enough labelled predictions', () => {
    const next = predictions(7);
    const window = Array.from({ length: 300 }, () => next(0.5, 0.3).snap);
    const labelled = window.filter((s) => s.correct !== undefined);
    const a = windowAccuracy({ classes: ['ham', 'spam'], rows: [] }, window, columns(window, 1).correct);
    expect(a.labelled).toBe(labelled.length);
    expect(a.measured).toBeCloseTo(labelled.filter((s) => s.correct === 1).length / labelled.length, 12);
    expect(a.estimated).toBeUndefined();
    const rows = Array.from({ length: CALIBRATION_MIN - 1 }, (_, i) => ({ p: [0.2, 0.8], y: i % 2 }));
    expect(windowAccuracy({ classes: ['ham', 'spam'], rows }, window, columns(window, 1).correct).estimated).toBeUndefined();
    rows.push({ p: [0.7, 0.3], y: 0 });
    expect(windowAccuracy({ classes: ['ham', 'spam'], rows }, window, columns(window, 1).correct).estimated).toBeGreaterThan(0);
  });

  it('leaves out predictions whose classes differ from the calibration', () => {
    const next = predictions(9);
    const d = new Detector(emptyState('v1'), cfg);
    d.observe({ ...next(0.5, 1).snap, probs: { spam: 0.6, ham: 0.3, phishing: 0.1 }, truth: 'phishing' });
    for (let k = 0; k < 200; k++) d.observe(next(0.5, 1).snap);
    expect(d.state.calibration?.classes).toEqual(['ham', 'phishing', 'spam']);
    expect(d.state.calibration?.rows).toHaveLength(1);
  });
});
