import fc from 'fast-check';
import { binOnSharedEdges, jensenShannonDistance, jensenShannonDistanceSamples } from './jensen-shannon';

/*
 * Reference values: SciPy 1.17.1 / NumPy 2.4.6.
 *
 *   import numpy as np
 *   from scipy.spatial.distance import jensenshannon
 *   def u(i, a, c, m): return ((a*i + c) % m) / m
 *   jensenshannon([0.1,0.4,0.5], [0.3,0.3,0.4], base=2)          # 0.21663402449519667
 *   jensenshannon([10,0,25,5,60], [3,7,0,40,50], base=2)         # 0.5379521530202924
 *   jensenshannon([1,0], [0,1], base=2)                           # 1.0
 *   ref = np.array([u(i,7919,13,10007) + u(i,104729,7,10009) for i in range(1000)])
 *   cur = np.array([1.2*(u(i,7927,101,10037) + u(i,15485863,3,10039)) + 0.1 for i in range(800)])
 *   e = np.histogram_bin_edges(np.concatenate([ref, cur]), 10)
 *   # e[0] 0.0019984612030445707, e[1] 0.24825979478220114, e[10] 2.4646117969946104
 *   np.histogram(ref, e)[0]   # [33, 92, 151, 210, 218, 161, 96, 38, 1, 0]
 *   np.histogram(cur, e)[0]   # [8, 37, 71, 104, 137, 152, 122, 89, 57, 23]
 *   jensenshannon(np.histogram(ref, e)[0], np.histogram(cur, e)[0], base=2)   # 0.3013342760907284
 *   wa = [0.61,0.29,0.06,0.59,-1.73,-0.74,0.51,-0.56,0.39,1.64,0.05,-0.06,0.64,-0.82,0.37]
 *   wb = [1.77,1.09,-1.09,0.73,0.09,0.51,1.26,0.82,0.62,1.19,0.82]
 *   e20 = np.histogram_bin_edges(np.concatenate([wa, wb]), 20)
 *   jensenshannon(np.histogram(wa, e20)[0], np.histogram(wb, e20)[0], base=2)  # 0.7434299782805033
 */
const u = (i: number, a: number, c: number, m: number): number => ((a * i + c) % m) / m;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('jensenShannonDistance', () => {
  it('matches scipy jensenshannon(base=2) on probability vectors', () => {
    expect(jensenShannonDistance([0.1, 0.4, 0.5], [0.3, 0.3, 0.4])).toBeCloseTo(0.21663402449519667, 12);
  });

  it('normalises counts and handles zero entries like scipy', () => {
    expect(jensenShannonDistance([10, 0, 25, 5, 60], [3, 7, 0, 40, 50])).toBeCloseTo(0.5379521530202924, 12);
  });

  it('is 1 for disjoint supports and 0 for identical distributions', () => {
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(1, 12);
    expect(jensenShannonDistance([2, 4, 6], [1, 2, 3])).toBeCloseTo(0, 7);
  });

  it('rejects invalid input', () => {
    expect(() => jensenShannonDistance([1, 2], [1])).toThrow(RangeError);
    expect(() => jensenShannonDistance([0, 0], [1, 1])).toThrow(RangeError);
    expect(() => jensenShannonDistance([-1, 2], [1, 1])).toThrow(RangeError);
    expect(() => jensenShannonDistance([], [])).toThrow(RangeError);
  });

  it('property: in [0, 1] and symmetric', () => {
    const vec = fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(vec, vec, (p0, q0) => {
        const len = Math.min(p0.length, q0.length);
        const p = p0.slice(0, len);
        const q = q0.slice(0, len);
        fc.pre(p.some((x) => x > 0) && q.some((x) => x > 0));
        const d = jensenShannonDistance(p, q);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(jensenShannonDistance(q, p)).toBeCloseTo(d, 12);
      }),
    );
  });
});

describe('binOnSharedEdges / jensenShannonDistanceSamples', () => {
  const ref = range(1000).map((i) => u(i, 7919, 13, 10007) + u(i, 104729, 7, 10009));
  const cur = range(800).map((i) => 1.2 * (u(i, 7927, 101, 10037) + u(i, 15485863, 3, 10039)) + 0.1);

  it('reproduces np.histogram_bin_edges / np.histogram on the pooled range', () => {
    const h = binOnSharedEdges(ref, cur, 10);
    expect(h.edges).toHaveLength(11);
    expect(h.edges[0]).toBe(0.0019984612030445707);
    expect(h.edges[1]).toBe(0.24825979478220114);
    expect(h.edges[10]).toBe(2.4646117969946104);
    expect(h.countsA).toEqual([33, 92, 151, 210, 218, 161, 96, 38, 1, 0]);
    expect(h.countsB).toEqual([8, 37, 71, 104, 137, 152, 122, 89, 57, 23]);
  });

  it('matches scipy jensenshannon of the shared-edge histograms', () => {
    expect(jensenShannonDistanceSamples(ref, cur)).toBeCloseTo(0.3013342760907284, 12);
    const wa = [0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37];
    const wb = [1.77, 1.09, -1.09, 0.73, 0.09, 0.51, 1.26, 0.82, 0.62, 1.19, 0.82];
    expect(jensenShannonDistanceSamples(wa, wb, { bins: 20 })).toBeCloseTo(0.7434299782805033, 12);
  });

  it('counts every value (the pooled max lands in the closed last bin)', () => {
    const h = binOnSharedEdges([0, 1, 2], [3, 4], 4);
    // np.histogram([0,1,2], [0,1,2,3,4])[0] -> [1,1,1,0]; np.histogram([3,4], [0,1,2,3,4])[0] -> [0,0,0,2]
    expect(h.edges).toEqual([0, 1, 2, 3, 4]);
    expect(h.countsA).toEqual([1, 1, 1, 0]);
    expect(h.countsB).toEqual([0, 0, 0, 2]);
  });

  it('gives a distance, not an error, when the pooled range is too narrow for the bins', () => {
    // fast-check's counterexample (seed 331613429): NumPy raises here; the edges merge to one bin.
    const h = binOnSharedEdges([0], [5e-324], 2);
    expect(h.edges).toEqual([0, 5e-324]);
    expect(h.countsA).toEqual([1]);
    expect(h.countsB).toEqual([1]);
    expect(jensenShannonDistanceSamples([0], [5e-324], { bins: 2 })).toBe(0);
    // Two samples near 1e6, 3e-10 apart, on the detector's default 10 bins.
    const a = Array.from({ length: 50 }, (_, i) => 1e6 + i * 1e-11);
    const b = a.map((v) => v + 3e-10);
    const d = jensenShannonDistanceSamples(a, b);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(1);
  });

  it('property: sample JS distance is in [0, 1] and symmetric', () => {
    const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: 1, max: 30 }), (a, b, bins) => {
        const d = jensenShannonDistanceSamples(a, b, { bins });
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(jensenShannonDistanceSamples(b, a, { bins })).toBeCloseTo(d, 12);
      }),
    );
  });
});
