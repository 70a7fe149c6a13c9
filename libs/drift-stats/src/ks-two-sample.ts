/**
 * Two-sample Kolmogorov–Smirnov test (two-sided), reproducing `scipy.stats.ks_2samp(a, b)`.
 */
import { assertFiniteSample, sortedCopy } from './descriptive';
import { kolmogorovSf } from './kolmogorov-distribution';

/** How the p-value of {@link ksTwoSample} is computed; same meaning as SciPy's `method`. */
export type KsMethod = 'auto' | 'exact' | 'asymp';

/** Options for {@link ksTwoSample}. */
export interface KsTwoSampleOptions {
  /**
   * `'auto'` (default, SciPy's default): exact when max(n1, n2) <= 10000, otherwise asymptotic.
   * `'exact'`: exact unless lcm(n1, n2) is too large (n1/g >= (2^31-1)/(n2/g)), then asymptotic.
   * `'asymp'`: always asymptotic. As in SciPy, a failed exact computation falls back to asymptotic.
   */
  method?: KsMethod;
}

/** Result of {@link ksTwoSample}. */
export interface KsTwoSampleResult {
  /** D = sup |F1(x) - F2(x)|; in exact mode rounded to the lattice value h/lcm(n1, n2), as SciPy does. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** Method actually used to compute the p-value. */
  method: 'exact' | 'asymp';
  /** Observation at which the ECDF difference attains `statistic` (SciPy's `statistic_location`). */
  statisticLocation: number;
  /** +1 if F1 - F2 is maximal there (a's ECDF above b's), -1 otherwise (SciPy's `statistic_sign`). */
  statisticSign: 1 | -1;
}

/** Largest n1, n2 for which `method: 'auto'` computes the exact p-value (SciPy's MAX_AUTO_N). */
export const KS_MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** np.round: round half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Pr(D_{n,n} >= h/n) for equal sample sizes, as an alternating series evaluated Horner-style to avoid
 * cancellation: P = 2·A0·(1 − A1·(1 − A2·(1 − …))), A_k = C(2n, n−kh)/C(2n, n) ratios.
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Proportion of monotone lattice paths (0,0)→(m,n) that leave the band |x/m − y/n| < h/lcm(m,n),
 * i.e. Pr(D_{m,n} >= h/lcm). Hodges' (1958) "inside" method, with Viehmann's (2021, arXiv:2102.08037)
 * recursion carrying 1 − p directly so every stored value stays a probability (no overflow).
 * Only a sliding window of one column of the path-count matrix is kept.
 */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}

/**
 * Two-sample, two-sided Kolmogorov–Smirnov test, numerically matching `scipy.stats.ks_2samp(a, b)`
 * (default `alternative='two-sided'`, `method='auto'`).
 *
 * - Statistic: D = max over the pooled observations of |F_a − F_b| using right-continuous ECDFs
 *   (ties handled exactly as SciPy's `searchsorted(side='right')`).
 * - Exact p-value (auto: max(n1, n2) <= {@link KS_MAX_AUTO_N}): lattice-path counting; equal sizes use
 *   the closed-form alternating series, unequal sizes Hodges' inside method (Viehmann's stable recursion).
 *   D is snapped to h/lcm(n1, n2). If the result is not a valid probability, falls back to asymptotic.
 *   Cost is O(max(n)·band width) for unequal sizes: about 0.5 s at n1 = 10000, n2 = 9999 with a large D.
 * - Asymptotic p-value: `kstwo.sf(D, round(n1·n2/(n1+n2)))`, i.e. the finite-n two-sided one-sample
 *   Kolmogorov distribution ({@link kolmogorovSf}), exactly as SciPy (not the limiting Kolmogorov law).
 *
 * @param a - first sample (e.g. reference), non-empty, finite values.
 * @param b - second sample (e.g. current), non-empty, finite values.
 * @param options - see {@link KsTwoSampleOptions}.
 * @throws RangeError on empty input or non-finite values.
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>, options: KsTwoSampleOptions = {}): KsTwoSampleResult {
  assertFiniteSample(a, 'ksTwoSample: a');
  assertFiniteSample(b, 'ksTwoSample: b');
  const requested = options.method ?? 'auto';
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'asymp') {
    throw new RangeError(`ksTwoSample: invalid method ${String(requested)}`);
  }
  const s1 = sortedCopy(a);
  const s2 = sortedCopy(b);
  const n1 = s1.length;
  const n2 = s2.length;

  // Scan the concatenation [sorted a, sorted b] like SciPy so argmin/argmax (first occurrence) agree.
  let minDiff = Infinity;
  let maxDiff = -Infinity;
  let locMin = NaN;
  let locMax = NaN;
  // x is non-decreasing within each half of the scan, so the counts #{s <= x} are two pointers
  // that only move forward (reset when the scan moves on to b): linear after the sorts.
  let c1 = 0;
  let c2 = 0;
  for (let i = 0; i < n1 + n2; i++) {
    if (i === n1) c1 = c2 = 0;
    const x = i < n1 ? s1[i] : s2[i - n1];
    while (c1 < n1 && s1[c1] <= x) c1++;
    while (c2 < n2 && s2[c2] <= x) c2++;
    const diff = c1 / n1 - c2 / n2;
    if (diff < minDiff) {
      minDiff = diff;
      locMin = x;
    }
    if (diff > maxDiff) {
      maxDiff = diff;
      locMax = x;
    }
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  let d: number;
  let location: number;
  let sign: 1 | -1;
  if (minS > maxDiff) {
    d = minS;
    location = locMin;
    sign = -1;
  } else {
    d = maxDiff;
    location = locMax;
    sign = 1;
  }

  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let mode: 'exact' | 'asymp';
  if (requested === 'auto') mode = Math.max(n1, n2) <= KS_MAX_AUTO_N ? 'exact' : 'asymp';
  else if (requested === 'exact') mode = n1g >= INT32_MAX / n2g ? 'asymp' : 'exact';
  else mode = 'asymp';

  let prob = NaN;
  if (mode === 'exact') {
    const lcm = n1g * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) {
      prob = 1;
    } else {
      prob = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
      if (!(prob >= 0 && prob <= 1)) mode = 'asymp';
    }
  }
  if (mode === 'asymp') {
    const big = Math.max(n1, n2);
    const small = Math.min(n1, n2);
    const en = (big * small) / (big + small);
    prob = kolmogorovSf(roundHalfEven(en), d);
  }
  prob = Math.min(Math.max(prob, 0), 1);
  return { statistic: d, pValue: prob, method: mode, statisticLocation: location, statisticSign: sign };
}
