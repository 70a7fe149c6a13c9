import fc from 'fast-check';
import { PSI_DEFAULT_EPSILON, psi, psiCategorical, psiDetailed, quantileEdges } from './psi';

/*
 * PSI has no SciPy function; reference values come from this NumPy 2.4.6 snippet
 * (NumPy shipped with the SciPy 1.17.1 environment used for the other references):
 *
 *   import numpy as np
 *   def u(i, a, c, m): return ((a*i + c) % m) / m
 *   ref = np.array([u(i,7919,13,10007) + u(i,104729,7,10009) for i in range(1000)])
 *   cur = np.array([1.2*(u(i,7927,101,10037) + u(i,15485863,3,10039)) + 0.1 for i in range(800)])
 *   def psi(ref, cur, bins=10, eps=1e-4):
 *       e = np.unique(np.quantile(ref, [k/bins for k in range(1, bins)]))
 *       r = np.bincount(np.searchsorted(e, ref, side='right'), minlength=len(e)+1) / len(ref)
 *       c = np.bincount(np.searchsorted(e, cur, side='right'), minlength=len(e)+1) / len(cur)
 *       r = np.where(r == 0, eps, r); c = np.where(c == 0, eps, c)
 *       return float(np.sum((c - r) * np.log(c / r))), e
 *   psi(ref, cur)           # 0.40159918433838476, edges [0.44384757325881474, ..., 1.55035680338979]
 *   psi(ref, cur, bins=5)   # 0.3397130811501072
 *   psi(ref, ref + 5.0)     # 8.283089355027482  (all current mass in the top bin -> epsilon used)
 *   def psicat(rc, cc, eps=1e-4):
 *       keys = sorted(set(rc) | set(cc))
 *       r = np.array([rc.get(k, 0) for k in keys], float); c = np.array([cc.get(k, 0) for k in keys], float)
 *       r /= r.sum(); c /= c.sum(); r = np.where(r == 0, eps, r); c = np.where(c == 0, eps, c)
 *       return float(np.sum((c - r) * np.log(c / r)))
 *   psicat({'cat':120,'dog':80,'bird':40}, {'cat':90,'dog':100,'bird':30,'fish':5})   # 0.1812585111528911
 */
const u = (i: number, a: number, c: number, m: number): number => ((a * i + c) % m) / m;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const ref = range(1000).map((i) => u(i, 7919, 13, 10007) + u(i, 104729, 7, 10009));
const cur = range(800).map((i) => 1.2 * (u(i, 7927, 101, 10037) + u(i, 15485863, 3, 10039)) + 0.1);

describe('psi', () => {
  it('matches the NumPy reference with 10 quantile bins', () => {
    expect(psi(ref, cur)).toBeCloseTo(0.40159918433838476, 10);
    const edges = quantileEdges(ref, 10);
    expect(edges).toHaveLength(9);
    expect(edges[0]).toBeCloseTo(0.44384757325881474, 12);
    expect(edges[4]).toBeCloseTo(1.0000013029145158, 12);
    expect(edges[8]).toBeCloseTo(1.55035680338979, 12);
  });

  it('matches the NumPy reference with 5 bins', () => {
    expect(psi(ref, cur, { bins: 5 })).toBeCloseTo(0.3397130811501072, 10);
  });

  it('uses epsilon = 1e-4 for empty bins', () => {
    expect(PSI_DEFAULT_EPSILON).toBe(1e-4);
    const shifted = ref.map((x) => x + 5);
    expect(psi(ref, shifted)).toBeCloseTo(8.283089355027482, 10);
    const d = psiDetailed(ref, shifted);
    expect(d.currentProportions.slice(0, 9).every((p) => p === 0)).toBe(true);
    expect(d.currentProportions[9]).toBe(1);
    // A larger epsilon lowers the penalty for the empty bins.
    expect(psi(ref, shifted, { epsilon: 1e-2 })).toBeLessThan(psi(ref, shifted));
  });

  it('reference quantile bins hold ~10% of the reference each', () => {
    const d = psiDetailed(ref, cur);
    for (const p of d.referenceProportions) expect(p).toBeCloseTo(0.1, 2);
  });

  it('merges tied quantiles of a discrete reference', () => {
    // np.unique(np.quantile([1,1,1,1,1,1,1,2,2,3], [k/10 for k in range(1, 10)])) -> [1, 1.3, 2, 2.1]
    const e = quantileEdges([1, 1, 1, 1, 1, 1, 1, 2, 2, 3], 10);
    expect(e).toHaveLength(4);
    [1, 1.3, 2, 2.1].forEach((v, i) => expect(e[i]).toBeCloseTo(v, 12));
  });

  it('rejects invalid input', () => {
    expect(() => psi([], [1])).toThrow(RangeError);
    expect(() => psi([1], [])).toThrow(RangeError);
    expect(() => psi([1, 2], [1], { bins: 0 })).toThrow(RangeError);
    expect(() => psi([1, 2], [1], { epsilon: 0 })).toThrow(RangeError);
  });

  it('property: PSI >= 0, and PSI(x, x) = 0', () => {
    const sample = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: 1, max: 12 }), (a, b, bins) => {
        expect(psi(a, b, { bins })).toBeGreaterThanOrEqual(0);
        expect(psi(a, a, { bins })).toBe(0);
      }),
    );
  });
});

describe('psiCategorical', () => {
  it('matches the NumPy reference, including a category unseen in the reference', () => {
    expect(psiCategorical({ cat: 120, dog: 80, bird: 40 }, { cat: 90, dog: 100, bird: 30, fish: 5 })).toBeCloseTo(0.1812585111528911, 12);
  });

  it('is 0 for identical proportions and handles prototype-like keys', () => {
    expect(psiCategorical({ a: 1, b: 3 }, { a: 10, b: 30 })).toBeCloseTo(0, 15);
    expect(psiCategorical({ constructor: 2, b: 2 }, { constructor: 1, b: 1 })).toBeCloseTo(0, 15);
  });

  it('rejects zero totals and negative counts', () => {
    expect(() => psiCategorical({ a: 0 }, { a: 1 })).toThrow(RangeError);
    expect(() => psiCategorical({ a: 1 }, { a: -1, b: 2 })).toThrow(RangeError);
  });

  it('property: PSI >= 0', () => {
    const counts = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer({ min: 0, max: 1000 }), { minKeys: 1 });
    fc.assert(
      fc.property(counts, counts, (r, c) => {
        fc.pre(Object.values(r).some((v) => v > 0) && Object.values(c).some((v) => v > 0));
        expect(psiCategorical(r, c)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
