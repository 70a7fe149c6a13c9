import fc from 'fast-check';
import { fleissKappa, ratingsToCounts } from './fleiss-kappa';

// Reference values: statsmodels 0.15.0 `statsmodels.stats.inter_rater.fleiss_kappa`, computed by
// libs/qa-metrics/reference/agreement_reference.py (Python 3.11.7, numpy 2.4.6).

/** Wikipedia, "Fleiss' kappa", worked example: 10 subjects × 5 categories, 14 raters; κ ≈ 0.210. */
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

/**
 * Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological Bulletin
 * 76(5): 30 patients × 6 psychiatrists, 5 diagnoses. Raw ratings as in R's `irr::diagnoses`
 * (also in statsmodels' test suite, test_inter_rater.py); irr::kappam.fleiss gives 0.4302445.
 */
const DIAGNOSES = [
  [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
  [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
  [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
  [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
  [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
  [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]; // prettier-ignore

describe('fleissKappa', () => {
  it('reproduces the Wikipedia worked example (κ = 0.210) and statsmodels fleiss_kappa', () => {
    const k = fleissKappa(WIKIPEDIA_COUNTS);
    expect(k.toFixed(3)).toBe('0.210');
    expect(k).toBeCloseTo(0.20993070442195522, 9); // fleiss_kappa(wiki)
  });

  it("reproduces Fleiss (1971)'s diagnoses data (κ = 0.430; irr 0.4302445) and statsmodels", () => {
    const { counts, categories } = ratingsToCounts(DIAGNOSES);
    expect(categories).toEqual([1, 2, 3, 4, 5]);
    expect(counts.reduce((s, r) => s.map((x, j) => x + r[j]), [0, 0, 0, 0, 0])).toEqual([26, 26, 30, 55, 43]);
    expect(fleissKappa(counts)).toBeCloseTo(0.43024452006014074, 9); // fleiss_kappa(aggregate_raters(diagnoses)[0])
  });

  it("matches statsmodels method='randolph' (free-marginal kappa)", () => {
    expect(fleissKappa(WIKIPEDIA_COUNTS, { method: 'randolph' })).toBeCloseTo(0.2225274725274725, 9);
    expect(fleissKappa(ratingsToCounts(DIAGNOSES).counts, { method: 'randolph' })).toBeCloseTo(0.4444444444444443, 9);
    // statsmodels' own test against Randolph's online calculator: 0.161905 (fixed) / 0.214286 (free)
    expect(
      fleissKappa([
        [7, 1],
        [3, 5],
      ]),
    ).toBeCloseTo(0.16190476190476205, 9);
    expect(
      fleissKappa(
        [
          [7, 1],
          [3, 5],
        ],
        { method: 'randolph' },
      ),
    ).toBeCloseTo(0.2142857142857144, 9);
  });

  it('rejects tables whose rows have different totals, or fewer than two raters', () => {
    expect(() =>
      fleissKappa([
        [2, 1],
        [1, 1],
      ]),
    ).toThrow(RangeError);
    expect(() =>
      fleissKappa([
        [1, 0],
        [0, 1],
      ]),
    ).toThrow(RangeError);
    expect(() => fleissKappa([])).toThrow(RangeError);
    expect(() => fleissKappa([[3, -1]])).toThrow(RangeError);
  });

  it('is NaN when every rating falls in one category', () => {
    expect(
      fleissKappa([
        [0, 4],
        [0, 4],
      ]),
    ).toBeNaN();
  });

  it('property: κ ≤ 1, and κ = 1 when raters agree perfectly on at least two categories', () => {
    const table = fc
      .integer({ min: 2, max: 6 })
      .chain((raters) =>
        fc
          .array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: raters, maxLength: raters }), { minLength: 1, maxLength: 12 })
          .map((rows) => rows.map((r) => r.reduce((c, label) => (c[label]++, c), [0, 0, 0, 0]))),
      );
    fc.assert(
      fc.property(table, (t) => {
        const k = fleissKappa(t);
        return Number.isNaN(k) || k <= 1 + 1e-12;
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 12 }), (cats) => {
        fc.pre(new Set(cats).size >= 2);
        const t = cats.map((c) => [0, 1, 2].map((j) => (j === c ? 5 : 0)));
        return Math.abs(fleissKappa(t) - 1) < 1e-12;
      }),
    );
  });
});
