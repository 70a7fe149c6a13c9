import fc from 'fast-check';
import { benjaminiHochberg, bonferroni } from './multiple-testing';

/*
 * Reference values: SciPy 1.17.1 / NumPy 2.4.6.
 *
 *   from scipy.stats import false_discovery_control
 *   false_discovery_control([0.01,0.04,0.03,0.20,0.001,0.5,0.04,0.9,0.0004,0.07], method='bh')
 *   # [0.03333333333333333, 0.06666666666666667, 0.06666666666666667, 0.25, 0.005,
 *   #  0.5555555555555556, 0.06666666666666667, 0.9, 0.004, 0.1]
 *   false_discovery_control([0.005,0.009,0.019,0.022,0.051,0.101,0.361,0.387], method='bh')
 *   # [0.036, 0.036, 0.044, 0.044, 0.0816, 0.13466666666666666, 0.387, 0.387]
 */
describe('benjaminiHochberg', () => {
  it('matches scipy false_discovery_control(method="bh") with unsorted input', () => {
    const p = [0.01, 0.04, 0.03, 0.2, 0.001, 0.5, 0.04, 0.9, 0.0004, 0.07];
    const expected = [0.03333333333333333, 0.06666666666666667, 0.06666666666666667, 0.25, 0.005, 0.5555555555555556, 0.06666666666666667, 0.9, 0.004, 0.1];
    const r = benjaminiHochberg(p, 0.05);
    r.adjusted.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 12));
    expect(r.rejected).toEqual([true, false, false, false, true, false, false, false, true, false]);
  });

  it('matches scipy on a second vector and rejects with the step-up rule', () => {
    const p = [0.005, 0.009, 0.019, 0.022, 0.051, 0.101, 0.361, 0.387];
    const expected = [0.036, 0.036, 0.044, 0.044, 0.0816, 0.13466666666666666, 0.387, 0.387];
    const r = benjaminiHochberg(p, 0.05);
    r.adjusted.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 12));
    // p_(4) = 0.022 <= 4/8 * 0.05 = 0.025 -> the four smallest are rejected (0.019 > 3/8*0.05 alone would not be).
    expect(r.rejected).toEqual([true, true, true, true, false, false, false, false]);
  });

  it('handles the empty list and validates input', () => {
    expect(benjaminiHochberg([])).toEqual({ rejected: [], adjusted: [] });
    expect(() => benjaminiHochberg([0.1, 1.2])).toThrow(RangeError);
    expect(() => benjaminiHochberg([0.1, NaN])).toThrow(RangeError);
    expect(() => benjaminiHochberg([0.1], 0)).toThrow(RangeError);
  });

  it('property: adjusted >= raw, within [0, 1], order-preserving, and at least as many rejections as Bonferroni', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 50 }), fc.double({ min: 0.001, max: 0.5, noNaN: true }), (p, alpha) => {
        const bh = benjaminiHochberg(p, alpha);
        const bf = bonferroni(p, alpha);
        p.forEach((pi, i) => {
          expect(bh.adjusted[i]).toBeGreaterThanOrEqual(pi);
          expect(bh.adjusted[i]).toBeLessThanOrEqual(1);
          p.forEach((pj, j) => {
            if (pi < pj) expect(bh.adjusted[i]).toBeLessThanOrEqual(bh.adjusted[j]);
          });
          if (bf.rejected[i]) expect(bh.rejected[i]).toBe(true);
        });
      }),
    );
  });
});

describe('bonferroni', () => {
  it('multiplies by m, clips at 1 and rejects p*m <= alpha', () => {
    const r = bonferroni([0.01, 0.04, 0.004, 0.6], 0.05);
    [0.04, 0.16, 0.016, 1].forEach((v, i) => expect(r.adjusted[i]).toBeCloseTo(v, 15));
    expect(r.rejected).toEqual([true, false, true, false]);
  });

  it('validates input', () => {
    expect(() => bonferroni([-0.1])).toThrow(RangeError);
    expect(() => bonferroni([0.1], 1.5)).toThrow(RangeError);
  });
});
