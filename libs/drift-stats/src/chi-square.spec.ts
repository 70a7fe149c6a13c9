import { chiSquareHomogeneity, chiSquareSf, unseenCategories } from './chi-square';

/*
 * Reference values: SciPy 1.17.1 / NumPy 2.4.6.
 *
 *   from scipy.stats import chi2_contingency, chi2
 *   chi2_contingency([[120, 80, 40, 10], [90, 100, 30, 25]])
 *       # statistic 14.31603498542274, dof 3, pvalue 0.002505062774824556
 *   chi2_contingency([[30, 70], [45, 55]])                     # default correction=True -> Yates (dof 1)
 *       # statistic 4.181333333333333, dof 1, pvalue 0.04087153408900628
 *   chi2_contingency([[30, 70], [45, 55]], correction=False)
 *       # statistic 4.8, dof 1, pvalue 0.028459736916310638
 *   chi2_contingency([[5000, 3000, 2000], [4000, 3500, 2600]])
 *       # statistic 227.34163382893445, dof 2, pvalue 4.299237731475131e-50
 */
function expectRel(actual: number, expected: number, rel = 1e-9): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe('chiSquareHomogeneity', () => {
  it('matches scipy chi2_contingency on a 2x4 table (no correction applies for dof > 1)', () => {
    const r = chiSquareHomogeneity({ a: 120, b: 80, c: 40, d: 10 }, { a: 90, b: 100, c: 30, d: 25 });
    expect(r.statistic).toBeCloseTo(14.31603498542274, 10);
    expect(r.dof).toBe(3);
    expect(r.pValue).toBeCloseTo(0.002505062774824556, 12);
    expect(r.categories).toEqual(['a', 'b', 'c', 'd']);
  });

  it('applies Yates continuity correction for dof = 1 by default, like scipy', () => {
    const r = chiSquareHomogeneity({ yes: 30, no: 70 }, { yes: 45, no: 55 });
    expect(r.dof).toBe(1);
    expect(r.statistic).toBeCloseTo(4.181333333333333, 10);
    expect(r.pValue).toBeCloseTo(0.04087153408900628, 12);
  });

  it('correction: false gives the plain Pearson statistic', () => {
    const r = chiSquareHomogeneity({ yes: 30, no: 70 }, { yes: 45, no: 55 }, { correction: false });
    expect(r.statistic).toBeCloseTo(4.8, 10);
    expect(r.pValue).toBeCloseTo(0.028459736916310638, 12);
  });

  it('keeps relative precision for tiny p-values', () => {
    const r = chiSquareHomogeneity({ x: 5000, y: 3000, z: 2000 }, { x: 4000, y: 3500, z: 2600 });
    expect(r.statistic).toBeCloseTo(227.34163382893445, 8);
    expect(r.dof).toBe(2);
    expectRel(r.pValue, 4.299237731475131e-50, 1e-8);
  });

  it('treats missing keys as zero and drops categories empty in both', () => {
    const r = chiSquareHomogeneity({ a: 120, b: 80, c: 40, d: 10, e: 0 }, { a: 90, b: 100, c: 30, d: 25, e: 0 });
    expect(r.categories).toEqual(['a', 'b', 'c', 'd']);
    expect(r.dof).toBe(3);
    expect(r.statistic).toBeCloseTo(14.31603498542274, 10);
    // A category only in the current data participates with a reference count of 0.
    const s = chiSquareHomogeneity({ a: 50, b: 50 }, { a: 40, b: 40, new: 20 });
    // chi2_contingency([[50, 50, 0], [40, 40, 20]]) -> 22.22222222222222, dof 2, p 1.4945338524781447e-05
    expect(s.dof).toBe(2);
    expect(s.statistic).toBeCloseTo(22.22222222222222, 10);
    expectRel(s.pValue, 1.4945338524781447e-5);
  });

  it('returns statistic 0, dof 0, p 1 for a single category (as scipy)', () => {
    expect(chiSquareHomogeneity({ a: 5 }, { a: 7 })).toEqual({ statistic: 0, dof: 0, pValue: 1, categories: ['a'] });
  });

  it('rejects negative counts and empty rows', () => {
    expect(() => chiSquareHomogeneity({ a: -1, b: 2 }, { a: 1, b: 1 })).toThrow(RangeError);
    expect(() => chiSquareHomogeneity({ a: 0 }, { a: 3, b: 1 })).toThrow(RangeError);
  });
});

describe('chiSquareSf', () => {
  it('equals scipy.stats.chi2.sf', () => {
    // chi2.sf(3.2, 2) = 0.2018965179946554 ; chi2.sf(0, 3) = 1.0
    expect(chiSquareSf(3.2, 2)).toBeCloseTo(0.2018965179946554, 14);
    expect(chiSquareSf(0, 3)).toBe(1);
  });
});

describe('unseenCategories', () => {
  it('lists current categories absent (or zero) in the reference', () => {
    const r = unseenCategories({ cat: 120, dog: 80, owl: 0 }, { cat: 90, dog: 100, fish: 5, owl: 5, yak: 0 });
    expect(r.categories).toEqual(['fish', 'owl']);
    expect(r.count).toBe(10);
    expect(r.fraction).toBeCloseTo(10 / 200, 15);
  });

  it('is empty when nothing new appears', () => {
    expect(unseenCategories({ a: 1, b: 2 }, { a: 5 })).toEqual({ categories: [], count: 0, fraction: 0 });
    expect(unseenCategories({ a: 1 }, {})).toEqual({ categories: [], count: 0, fraction: 0 });
  });
});
