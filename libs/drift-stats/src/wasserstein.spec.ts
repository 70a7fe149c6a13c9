import fc from 'fast-check';
import { normalizedWassersteinDistance, WASSERSTEIN_MIN_SCALE, wassersteinDistance } from './wasserstein';

/*
 * Reference values: SciPy 1.17.1 / NumPy 2.4.6.
 *
 *   import numpy as np
 *   from scipy.stats import wasserstein_distance
 *   def u(i, a, c, m): return ((a*i + c) % m) / m
 *   wa = [0.61,0.29,0.06,0.59,-1.73,-0.74,0.51,-0.56,0.39,1.64,0.05,-0.06,0.64,-0.82,0.37]
 *   wb = [1.77,1.09,-1.09,0.73,0.09,0.51,1.26,0.82,0.62,1.19,0.82]
 *   wasserstein_distance(wa, wb)                              # 0.6404242424242426
 *   wasserstein_distance(wa, wb) / max(np.std(wa), 0.001)     # 0.8320569838972042
 *   ref = [u(i,7919,13,10007) + u(i,104729,7,10009) for i in range(1000)]
 *   cur = [1.2*(u(i,7927,101,10037) + u(i,15485863,3,10039)) + 0.1 for i in range(800)]
 *   wasserstein_distance(ref, cur)                            # 0.3016541437245144
 *   wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)  # 0.734205444404838
 */
const u = (i: number, a: number, c: number, m: number): number => ((a * i + c) % m) / m;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const wa = [0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37];
const wb = [1.77, 1.09, -1.09, 0.73, 0.09, 0.51, 1.26, 0.82, 0.62, 1.19, 0.82];

describe('wassersteinDistance', () => {
  it('matches scipy.stats.wasserstein_distance on small samples', () => {
    expect(wassersteinDistance(wa, wb)).toBeCloseTo(0.6404242424242426, 12);
  });

  it('matches scipy on larger generated samples', () => {
    const ref = range(1000).map((i) => u(i, 7919, 13, 10007) + u(i, 104729, 7, 10009));
    const cur = range(800).map((i) => 1.2 * (u(i, 7927, 101, 10037) + u(i, 15485863, 3, 10039)) + 0.1);
    expect(wassersteinDistance(ref, cur)).toBeCloseTo(0.3016541437245144, 12);
    expect(normalizedWassersteinDistance(ref, cur)).toBeCloseTo(0.734205444404838, 12);
  });

  it('rejects empty and non-finite input', () => {
    expect(() => wassersteinDistance([], [1])).toThrow(RangeError);
    expect(() => wassersteinDistance([1], [Infinity])).toThrow(RangeError);
  });

  it('property: non-negative, symmetric, zero on identical samples, and |c| under a shift by c', () => {
    const sample = fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -100, max: 100 }), (a, b, c) => {
        const d = wassersteinDistance(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(wassersteinDistance(b, a)).toBeCloseTo(d, 9);
        expect(wassersteinDistance(a, a)).toBe(0);
        expect(
          wassersteinDistance(
            a,
            a.map((x) => x + c),
          ),
        ).toBeCloseTo(Math.abs(c), 9);
      }),
    );
  });
});

describe('normalizedWassersteinDistance', () => {
  it('divides by the population std of the reference (ddof = 0)', () => {
    expect(normalizedWassersteinDistance(wa, wb)).toBeCloseTo(0.8320569838972042, 12);
  });

  it('floors the scale at 0.001 for a constant reference', () => {
    expect(WASSERSTEIN_MIN_SCALE).toBe(0.001);
    expect(normalizedWassersteinDistance([2, 2, 2], [2.5])).toBeCloseTo(0.5 / 0.001, 9);
    expect(() => normalizedWassersteinDistance([1], [1], 0)).toThrow(RangeError);
  });

  it('is scale invariant', () => {
    const k = 37.5;
    expect(
      normalizedWassersteinDistance(
        wa.map((x) => x * k),
        wb.map((x) => x * k),
      ),
    ).toBeCloseTo(normalizedWassersteinDistance(wa, wb), 10);
  });
});
