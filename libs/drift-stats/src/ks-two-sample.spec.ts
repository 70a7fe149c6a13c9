import fc from 'fast-check';
import { kolmogorovSf, smirnovSf } from './kolmogorov-distribution';
import { KS_MAX_AUTO_N, ksTwoSample } from './ks-two-sample';

/*
 * Reference values: SciPy 1.17.1, NumPy 2.4.6, Python 3.11.7.
 *
 *   from scipy.stats import ks_2samp, kstwo
 *   from scipy.special import smirnov
 *   def u(i, a, c, m): return ((a*i + c) % m) / m
 *   a = [0.61,0.29,0.06,0.59,-1.73,-0.74,0.51,-0.56,0.39,1.64,0.05,-0.06,0.64,-0.82,0.37]
 *   b = [1.77,1.09,-1.09,0.73,0.09,0.51,1.26,0.82,0.62,1.19,0.82]
 *   ks_2samp(a, b)   # statistic 0.593939393939394, pvalue 0.013578802406370048, location 0.61, sign 1
 *   c = [0.2,1.1,-0.3,0.4,0.9,1.5,-1.2,0.0]; d = [1.9,0.8,1.4,2.2,0.4,1.0,2.7,1.6]
 *   ks_2samp(c, d)   # statistic 0.5, pvalue 0.2826728826728826, location 0.2, sign 1
 *   A = [u(i,7919,13,10007) + u(i,104729,7,10009) for i in range(2000)]
 *   B = [u(i,7927,101,10037) + u(i,15485863,3,10039) + 0.05 for i in range(2000)]
 *   ks_2samp(A, B)                  # 0.0535, 0.00652148041369766  (auto -> exact: max(n) <= 10000)
 *   ks_2samp(A, B, method='asymp')  # 0.05350000000000005, 0.0062860632943753355
 *   C = [u(i,7919,13,10007) + u(i,104729,7,10009) for i in range(12000)]
 *   D = [u(i,7927,101,10037) + u(i,15485863,3,10039) + 0.03 for i in range(10500)]
 *   ks_2samp(C, D)                  # 0.03036904761904763, 6.389063359067305e-05 (auto -> asymp)
 *   kstwo.sf(x, n), smirnov(n, x)   # see the table below
 */
const u = (i: number, a: number, c: number, m: number): number => ((a * i + c) % m) / m;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** |actual − expected| <= rel·|expected| (plus a tiny absolute slack for exact zeros). */
function expectRel(actual: number, expected: number, rel = 1e-9): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-300);
}

describe('ksTwoSample', () => {
  it('matches scipy ks_2samp in the exact regime (unequal n, ties across samples)', () => {
    const a = [0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37];
    const b = [1.77, 1.09, -1.09, 0.73, 0.09, 0.51, 1.26, 0.82, 0.62, 1.19, 0.82];
    const r = ksTwoSample(a, b);
    expect(r.method).toBe('exact');
    expect(r.statistic).toBeCloseTo(0.593939393939394, 12);
    expect(r.pValue).toBeCloseTo(0.013578802406370048, 12);
    expect(r.statisticLocation).toBe(0.61);
    expect(r.statisticSign).toBe(1);
  });

  it('matches scipy ks_2samp in the exact regime (equal n)', () => {
    const r = ksTwoSample([0.2, 1.1, -0.3, 0.4, 0.9, 1.5, -1.2, 0.0], [1.9, 0.8, 1.4, 2.2, 0.4, 1.0, 2.7, 1.6]);
    expect(r.method).toBe('exact');
    expect(r.statistic).toBeCloseTo(0.5, 12);
    expect(r.pValue).toBeCloseTo(0.2826728826728826, 12);
    expect(r.statisticLocation).toBe(0.2);
  });

  const A = range(2000).map((i) => u(i, 7919, 13, 10007) + u(i, 104729, 7, 10009));
  const B = range(2000).map((i) => u(i, 7927, 101, 10037) + u(i, 15485863, 3, 10039) + 0.05);

  it('n = 2000 each: auto uses the exact method like SciPy (max(n) <= 10000)', () => {
    const r = ksTwoSample(A, B);
    expect(r.method).toBe('exact');
    expect(r.statistic).toBeCloseTo(0.0535, 12);
    expectRel(r.pValue, 0.00652148041369766);
  });

  it('n = 2000 each with method asymp matches kstwo-based asymptotic p-value', () => {
    const r = ksTwoSample(A, B, { method: 'asymp' });
    expect(r.method).toBe('asymp');
    expect(r.statistic).toBeCloseTo(0.05350000000000005, 12);
    expectRel(r.pValue, 0.0062860632943753355);
  });

  it('auto switches to the asymptotic method when max(n) > 10000 (12000 vs 10500)', () => {
    const C = range(12000).map((i) => u(i, 7919, 13, 10007) + u(i, 104729, 7, 10009));
    const D = range(10500).map((i) => u(i, 7927, 101, 10037) + u(i, 15485863, 3, 10039) + 0.03);
    expect(Math.max(C.length, D.length)).toBeGreaterThan(KS_MAX_AUTO_N);
    const r = ksTwoSample(C, D);
    expect(r.method).toBe('asymp');
    expect(r.statistic).toBeCloseTo(0.03036904761904763, 12);
    expectRel(r.pValue, 6.389063359067305e-5);
  });

  it('identical samples give D = 0 and p = 1', () => {
    const r = ksTwoSample([3, 1, 2], [1, 2, 3]);
    expect(r.statistic).toBe(0);
    expect(r.pValue).toBe(1);
  });

  it('rejects empty and non-finite input', () => {
    expect(() => ksTwoSample([], [1])).toThrow(RangeError);
    expect(() => ksTwoSample([1, NaN], [1])).toThrow(RangeError);
    expect(() => ksTwoSample([1], [2], { method: 'bogus' as never })).toThrow(RangeError);
  });

  it('property: statistic and p-value are in [0, 1] and symmetric in the two samples', () => {
    const sample = fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const r1 = ksTwoSample(a, b);
        const r2 = ksTwoSample(b, a);
        expect(r1.statistic).toBeGreaterThanOrEqual(0);
        expect(r1.statistic).toBeLessThanOrEqual(1);
        expect(r1.pValue).toBeGreaterThanOrEqual(0);
        expect(r1.pValue).toBeLessThanOrEqual(1);
        expect(r2.statistic).toBeCloseTo(r1.statistic, 12);
        expect(r2.pValue).toBeCloseTo(r1.pValue, 12);
      }),
      { numRuns: 200 },
    );
  });
});

describe('kolmogorovSf / smirnovSf', () => {
  // [n, x, kstwo.sf(x, n), smirnov(n, x)] from SciPy 1.17.1; rows exercise each algorithm branch.
  const table: Array<[number, number, number, number]> = [
    [5, 0.15, 0.9988, 0.7376490625000001], // Ruben–Gambino, n*x <= 1
    [10, 0.2, 0.7487190399999999, 0.39676169159999997], // Durbin matrix (n <= 140)
    [100, 0.15, 0.019839242125643017, 0.009919628413308524], // Pomeranz (n <= 140)
    [100, 0.05, 0.9532159710635725, 0.5871453380805337],
    [7, 0.55, 0.016255939651261365, 0.008127969825630682], // x >= 0.5: 2*smirnov
    [100, 0.99, 2.0000000000001775e-200, 1.0000000000000887e-200], // n*x >= n-1
    [50, 0.6, 9.634070456142374e-18, 4.817035228071187e-18],
    [1000, 0.03, 0.3226902143914636, 0.16203171395455085], // Pelz–Good
    [1000, 0.01, 0.9999496745370611, 0.8133237754763678], // Durbin matrix, large n
    [5000, 0.03, 0.00024159234422666817, 0.00012079617211333408], // 2*smirnov, n > 140
    [100000, 0.003, 0.3284563327726956, 0.16496868628224437], // Pelz–Good, very large n
  ];
  it.each(table)('n=%p x=%p matches scipy', (n, x, ks, sm) => {
    expectRel(kolmogorovSf(n, x), ks, 1e-9);
    expectRel(smirnovSf(n, x), sm, 1e-9);
  });

  it('handles the support boundaries', () => {
    expect(kolmogorovSf(10, 0)).toBe(1);
    expect(kolmogorovSf(10, 1)).toBe(0);
    expect(kolmogorovSf(10, 0.04)).toBe(1); // n*x <= 0.5
    expect(kolmogorovSf(0, 0.3)).toBeNaN();
    expect(smirnovSf(1, 0.3)).toBeCloseTo(0.7, 15);
  });
});
