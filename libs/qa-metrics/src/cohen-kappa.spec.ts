import fc from 'fast-check';
import { cohenKappa } from './cohen-kappa';

// Reference values: scikit-learn 1.9.1 `sklearn.metrics.cohen_kappa_score`, computed by
// libs/qa-metrics/reference/agreement_reference.py (Python 3.11.7, numpy 2.4.6), e.g.
//   from sklearn.metrics import cohen_kappa_score
//   cohen_kappa_score(r1, r2, weights='quadratic')  # -> 0.8707592891760905
const R1 = [1, 2, 3, 4, 5, 3, 2, 1, 4, 4, 5, 2, 3, 3, 1, 2, 5, 4, 3, 2];
const R2 = [1, 3, 3, 4, 4, 3, 2, 2, 5, 4, 5, 1, 3, 2, 1, 2, 4, 4, 3, 3];

describe('cohenKappa', () => {
  it("reproduces scikit-learn's docstring example (0.6875)", () => {
    const y1 = ['negative', 'positive', 'negative', 'neutral', 'positive'];
    const y2 = ['negative', 'positive', 'negative', 'neutral', 'negative'];
    expect(cohenKappa(y1, y2)).toBeCloseTo(0.6875, 12);
  });

  it.each([
    ['none', 0.4920634920634921],
    ['linear', 0.7142857142857143],
    ['quadratic', 0.8707592891760905],
  ] as const)('matches sklearn cohen_kappa_score(weights=%s) on a 5-point ordinal scale', (weights, expected) => {
    expect(cohenKappa(R1, R2, { weights })).toBeCloseTo(expected, 9);
  });

  it.each([
    ['none', 0.574468085106383],
    ['linear', 0.7183098591549295],
    ['quadratic', 0.84375],
  ] as const)('matches sklearn with labels=[4,3,2,1] (reordered subset, pairs with a 5 dropped), weights=%s', (weights, expected) => {
    expect(cohenKappa(R1, R2, { weights, labels: [4, 3, 2, 1] })).toBeCloseTo(expected, 9);
  });

  it('matches sklearn with sample_weight (quadratic)', () => {
    const sw = [1, 2, 1, 0.5, 1, 1, 3, 1, 1, 1, 2, 1, 1, 1, 1, 1, 0.25, 1, 1, 1];
    expect(cohenKappa(R1, R2, { weights: 'quadratic', sampleWeight: sw })).toBeCloseTo(0.8812245382272673, 9);
  });

  it('matches sklearn on string labels (sorted lexicographically for linear weights)', () => {
    const s1 = ['cat', 'dog', 'dog', 'bird', 'cat', 'cat', 'bird', 'dog'];
    const s2 = ['cat', 'dog', 'cat', 'bird', 'cat', 'dog', 'bird', 'dog'];
    expect(cohenKappa(s1, s2)).toBeCloseTo(0.6190476190476191, 9);
    expect(cohenKappa(s1, s2, { weights: 'linear' })).toBeCloseTo(0.7037037037037037, 9);
  });

  it('is NaN when undefined (both raters always give the same single label), like sklearn', () => {
    expect(cohenKappa(['a', 'a', 'a'], ['a', 'a', 'a'])).toBeNaN();
    expect(cohenKappa([], [])).toBeNaN();
  });

  it('rejects arrays of different length and unknown weights', () => {
    expect(() => cohenKappa([1, 2], [1])).toThrow(RangeError);
    expect(() => cohenKappa([1, 2], [1, 2], { weights: 'cubic' as never })).toThrow(RangeError);
  });

  const pairs = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 40 })
    .map((ps) => ({ a: ps.map((p) => p[0]), b: ps.map((p) => p[1]) }));
  const weightsArb = fc.constantFrom('none' as const, 'linear' as const, 'quadratic' as const);

  it('property: κ ≤ 1 and κ is symmetric in the two raters', () => {
    fc.assert(
      fc.property(pairs, weightsArb, ({ a, b }, weights) => {
        const k = cohenKappa(a, b, { weights });
        const kSwapped = cohenKappa(b, a, { weights });
        if (Number.isNaN(k)) return Number.isNaN(kSwapped);
        return k <= 1 + 1e-12 && Math.abs(k - kSwapped) < 1e-12;
      }),
    );
  });

  it('property: κ = 1 for identical ratings with at least two distinct labels', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 30 }), weightsArb, (a, weights) => {
        fc.pre(new Set(a).size >= 2);
        return Math.abs(cohenKappa(a, a, { weights }) - 1) < 1e-12;
      }),
    );
  });
});
