import { medianHeuristicBandwidth, mmdPermutationTest, mmdUnbiased } from './mmd';
import { Mulberry32 } from './prng';

/*
 * MMD has no SciPy function; the statistic reference comes from this NumPy 2.4.6 / SciPy 1.17.1 snippet:
 *
 *   import numpy as np
 *   from scipy.spatial.distance import pdist, cdist
 *   X = np.array([[0.13,0.21],[0.42,-0.33],[1.07,0.52],[-0.19,0.86],[0.31,0.27]])
 *   Y = np.array([[1.12,0.93],[0.81,1.46],[1.53,0.61],[0.94,1.08]])
 *   sigma = np.median(pdist(np.vstack([X, Y])))          # 1.0574456069938574
 *   n, m = len(X), len(Y)
 *   def mmd2(s):
 *       k = lambda A, B: np.exp(-cdist(A, B, 'sqeuclidean') / (2*s**2))
 *       Kxx, Kyy, Kxy = k(X, X), k(Y, Y), k(X, Y)
 *       return ((Kxx.sum() - np.trace(Kxx))/(n*(n-1)) + (Kyy.sum() - np.trace(Kyy))/(m*(m-1))
 *               - 2*Kxy.mean())
 *   mmd2(sigma)   # 0.48799958238449626
 *   mmd2(0.5)     # 0.555366834137263
 */
const X = [
  [0.13, 0.21],
  [0.42, -0.33],
  [1.07, 0.52],
  [-0.19, 0.86],
  [0.31, 0.27],
];
const Y = [
  [1.12, 0.93],
  [0.81, 1.46],
  [1.53, 0.61],
  [0.94, 1.08],
];

/** Deterministic Gaussian rows via Box–Muller on mulberry32. */
function gaussianRows(n: number, dim: number, seed: number, shift = 0): number[][] {
  const rng = new Mulberry32(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: dim }, () => {
      const u1 = 1 - rng.next();
      const u2 = rng.next();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2) + shift;
    }),
  );
}

describe('mmdUnbiased / medianHeuristicBandwidth', () => {
  it('median heuristic matches np.median(pdist(pooled))', () => {
    expect(medianHeuristicBandwidth(X, Y)).toBeCloseTo(1.0574456069938574, 12);
  });

  it('unbiased MMD² matches the NumPy reference', () => {
    expect(mmdUnbiased(X, Y)).toBeCloseTo(0.48799958238449626, 12);
    expect(mmdUnbiased(X, Y, 0.5)).toBeCloseTo(0.555366834137263, 12);
  });

  it('validates shapes and bandwidth', () => {
    expect(() => mmdUnbiased([[1]], [[1], [2]])).toThrow(RangeError);
    expect(() =>
      mmdUnbiased(
        [[1], [2]],
        [
          [1, 2],
          [2, 3],
        ],
      ),
    ).toThrow(RangeError);
    expect(() => mmdUnbiased(X, Y, 0)).toThrow(RangeError);
    expect(() => mmdUnbiased([[1], [NaN]], [[1], [2]])).toThrow(RangeError);
  });
});

describe('mmdPermutationTest', () => {
  const ref = gaussianRows(60, 8, 1);
  const same = gaussianRows(60, 8, 2);
  const shifted = gaussianRows(60, 8, 3, 0.6);

  it('gives a large p-value for samples from the same distribution', () => {
    const r = mmdPermutationTest(ref, same, { permutations: 300, seed: 7 });
    expect(r.pValue).toBeGreaterThan(0.2);
  });

  it('gives p < 0.01 for a mean-shifted sample', () => {
    const r = mmdPermutationTest(ref, shifted, { permutations: 300, seed: 7 });
    expect(r.pValue).toBeLessThan(0.01);
    expect(r.pValue).toBeCloseTo(1 / 301, 12); // no permutation reached the observed statistic
    expect(r.statistic).toBeGreaterThan(0);
    expect(r.permutations).toBe(300);
  });

  it('is deterministic for a given seed, and the seed matters', () => {
    const a = mmdPermutationTest(ref, same, { permutations: 200, seed: 11 });
    const b = mmdPermutationTest(ref, same, { permutations: 200, seed: 11 });
    expect(b).toEqual(a);
    const pValues = new Set([1, 2, 3, 4, 5].map((seed) => mmdPermutationTest(ref, same, { permutations: 200, seed }).pValue));
    expect(pValues.size).toBeGreaterThan(1);
  });

  it('uses the median heuristic by default and honours an explicit bandwidth', () => {
    const r = mmdPermutationTest(X, Y, { permutations: 50 });
    expect(r.bandwidth).toBeCloseTo(1.0574456069938574, 12);
    expect(r.statistic).toBeCloseTo(0.48799958238449626, 12);
    const s = mmdPermutationTest(X, Y, { permutations: 50, bandwidth: 0.5 });
    expect(s.bandwidth).toBe(0.5);
    expect(s.statistic).toBeCloseTo(0.555366834137263, 12);
    expect(() => mmdPermutationTest(X, Y, { permutations: 0 })).toThrow(RangeError);
  });

  // The RBF kernel with the median-heuristic bandwidth depends on the data only through ratios of
  // distances, so scaling every value by 2^k changes nothing (the NumPy figures above hold). At
  // 2^600 (about 4e180) the squared distances overflow to Infinity if computed as is (NaN
  // statistic); at 2^-600 they underflow to 0 (every kernel value 1, MMD² 0, "no drift").
  it.each([600, -600])('gives the same answer with every value scaled by 2^%i', (k) => {
    const s = 2 ** k;
    const scale = (rows: number[][]) => rows.map((r) => r.map((v) => v * s));
    const r = mmdPermutationTest(scale(X), scale(Y), { permutations: 50 });
    expect(r.statistic).toBeCloseTo(0.48799958238449626, 12);
    expect(r.bandwidth / s).toBeCloseTo(1.0574456069938574, 12);
    expect(r).toEqual({ ...mmdPermutationTest(X, Y, { permutations: 50 }), bandwidth: r.bandwidth });
    expect(mmdUnbiased(scale(X), scale(Y), 0.5 * s)).toBeCloseTo(0.555366834137263, 12);
    expect(medianHeuristicBandwidth(scale(X), scale(Y)) / s).toBeCloseTo(1.0574456069938574, 12);
  });

  // By hand: with σ = 1e146 only equal rows have a kernel value above 0 (1). X's pairs: one
  // (0, 0); Y's: one (M, M); across: X's M with Y's two. MMD² = 2·1/6 + 2·1/6 − 2·2/9 = 2/9.
  // Scaled into [1, 2), σ² underflows to 0 and 0 · Infinity must not make equal rows NaN.
  it('keeps equal rows at kernel 1 with a bandwidth tiny next to the largest value', () => {
    const M = Number.MAX_VALUE;
    expect(mmdUnbiased([[0], [0], [M]], [[M], [M], [-M]], 1e146)).toBeCloseTo(2 / 9, 15);
  });
});
