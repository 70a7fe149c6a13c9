import fc from 'fast-check';
import { percentAgreement } from './percent-agreement';

/**
 * Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories (counts per
 * category). Expanded here into an items × raters label matrix.
 */
const WIKIPEDIA_COUNTS = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];
const expand = (counts: number[][]): number[][] => counts.map((row) => row.flatMap((c, j) => new Array<number>(c).fill(j + 1)));

describe('percentAgreement', () => {
  it("equals Fleiss' P̄ of the Wikipedia worked example (0.378)", () => {
    // Wikipedia: P̄ = 0.378. Exact value from reference/agreement_reference.py (numpy 2.4.6):
    //   t = wiki counts; n = t.sum(1); ((t*(t-1)).sum(1) / (n*(n-1))).mean() -> 0.378021978021978
    const p = percentAgreement(expand(WIKIPEDIA_COUNTS));
    expect(p).toBeCloseTo(0.378021978021978, 10);
    expect(p.toFixed(3)).toBe('0.378');
  });

  it('averages pairwise agreement over items with ≥ 2 ratings, skipping missing values (hand-computed)', () => {
    // item 1: a,a -> 1; item 2: a,b,b -> 2 agreeing ordered pairs of 6 -> 1/3;
    // item 3: one rating -> ignored; item 4: x,y,z,x -> 2/12 -> 1/6. Mean = (1 + 1/3 + 1/6) / 3 = 0.5
    const ratings = [
      ['a', 'a', null],
      ['a', 'b', 'b'],
      [null, 'c', null],
      ['x', 'y', 'z', 'x'],
    ];
    expect(percentAgreement(ratings)).toBeCloseTo(0.5, 12);
  });

  it('is the plain share of agreeing items for two raters', () => {
    const a = [1, 2, 3, 1, 2, 2, 3, 1];
    const b = [1, 2, 1, 1, 3, 2, 3, 2];
    expect(percentAgreement(a.map((x, i) => [x, b[i]]))).toBeCloseTo(5 / 8, 12);
  });

  it('returns NaN when no item has two ratings', () => {
    expect(
      percentAgreement([
        [1, null],
        [null, 2],
      ]),
    ).toBeNaN();
    expect(percentAgreement([])).toBeNaN();
  });

  it('rejects non-finite numeric labels', () => {
    expect(() => percentAgreement([[Number.NaN, 1]])).toThrow(RangeError);
  });

  const matrix = fc.array(fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), { minLength: 2, maxLength: 5 }), {
    minLength: 1,
    maxLength: 15,
  });

  it('property: lies in [0, 1] and does not depend on the order of raters', () => {
    fc.assert(
      fc.property(matrix, (m) => {
        const p = percentAgreement(m);
        const reversed = percentAgreement(m.map((row) => [...row].reverse()));
        if (Number.isNaN(p)) return Number.isNaN(reversed);
        return p >= 0 && p <= 1 && Math.abs(p - reversed) < 1e-12;
      }),
    );
  });

  it('property: is 1 when every rater agrees on every item', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 2, max: 6 }),
        (labels, raters) => percentAgreement(labels.map((l) => new Array<number>(raters).fill(l))) === 1,
      ),
    );
  });
});
