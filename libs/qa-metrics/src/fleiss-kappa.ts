import { compareLabels } from './labels';

/** Options of {@link fleissKappa}. */
export interface FleissKappaOptions {
  /**
   * `'fleiss'` (default): chance agreement from the pooled category proportions, Fleiss (1971).
   * `'randolph'`: free-marginal kappa with chance agreement `1/k` (Randolph 2005), statsmodels'
   * `method='randolph'`.
   */
  method?: 'fleiss' | 'randolph';
}

/**
 * Fleiss' kappa for a fixed number of raters per item.
 *
 * Same definition as statsmodels' `statsmodels.stats.inter_rater.fleiss_kappa`:
 * `P_i = (Σ_j n_ij² − n) / (n (n − 1))`, `P̄ = mean P_i`, `p_j = Σ_i n_ij / (N n)`,
 * `P̄e = Σ_j p_j²` and `κ = (P̄ − P̄e) / (1 − P̄e)`.
 *
 * @param counts - items × categories matrix; `counts[i][j]` is how many raters put item `i`
 *   in category `j`. Every row must have the same total `n ≥ 2` (the number of raters).
 *   Use {@link ratingsToCounts} to build it from an items × raters matrix.
 * @param options - chance-agreement model
 * @returns kappa (≤ 1); `NaN` when chance agreement is 1 (a single category used throughout)
 * @throws RangeError on an empty, ragged or non-constant-row-total table, or negative counts
 */
export function fleissKappa(counts: ReadonlyArray<ReadonlyArray<number>>, options: FleissKappaOptions = {}): number {
  const method = options.method ?? 'fleiss';
  if (method !== 'fleiss' && method !== 'randolph') throw new RangeError(`fleissKappa: unknown method '${String(method)}'`);
  const nItems = counts.length;
  if (nItems === 0) throw new RangeError('fleissKappa: counts table is empty');
  const k = counts[0].length;
  if (k === 0) throw new RangeError('fleissKappa: counts table has no categories');
  let nRaters = -1;
  for (const row of counts) {
    if (row.length !== k) throw new RangeError('fleissKappa: every row must have one count per category');
    let s = 0;
    for (const c of row) {
      if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError(`fleissKappa: counts must be finite and non-negative, got ${c}`);
      s += c;
    }
    if (nRaters < 0) nRaters = s;
    else if (Math.abs(s - nRaters) > 1e-9 * Math.max(1, nRaters)) {
      throw new RangeError(`fleissKappa: every item needs the same number of ratings (${nRaters} vs ${s})`);
    }
  }
  if (nRaters < 2) throw new RangeError('fleissKappa: need at least two ratings per item');

  if (counts.every((row) => row.every((c) => Number.isInteger(c)))) return exactIntegerKappa(counts, nRaters, method);
  const n = nRaters;
  const catTotals = new Array<number>(k).fill(0);
  let pSum = 0;
  for (const row of counts) {
    let sq = 0;
    row.forEach((c, j) => {
      sq += c * c;
      catTotals[j] += c;
    });
    pSum += (sq - n) / (n * (n - 1));
  }
  const pBar = pSum / nItems;
  const pExpected = method === 'fleiss' ? catTotals.reduce((s, t) => s + (t / (nItems * n)) ** 2, 0) : 1 / k;
  if (pExpected === 1) return Number.NaN;
  return (pBar - pExpected) / (1 - pExpected);
}

/**
 * The same kappa for integer counts, as one fraction of exact integers divided once. With
 * M = N·n ratings, S = Σ n_ij² and Q = Σ_j T_j² (T_j a category's total), P̄ = (S − M) / (M (n − 1))
 * and P̄e = Q / M², so κ = ((S − M) M − Q (n − 1)) / ((n − 1)(M² − Q)); Randolph's P̄e = 1/k gives
 * κ = ((S − M) k − M (n − 1)) / ((n − 1) M (k − 1)). Summing fractions in floating point instead
 * leaves a kappa that is exactly 0 or 1/2 a few ulps below it, and a quality gate at exactly that
 * threshold would reject the batch; the result would also depend on the order of the items.
 */
function exactIntegerKappa(counts: ReadonlyArray<ReadonlyArray<number>>, nRaters: number, method: 'fleiss' | 'randolph'): number {
  const n = BigInt(nRaters);
  const k = BigInt(counts[0].length);
  const M = BigInt(counts.length) * n;
  const totals = new Array<bigint>(counts[0].length).fill(0n);
  let S = 0n;
  for (const row of counts) {
    row.forEach((c, j) => {
      const b = BigInt(c);
      S += b * b;
      totals[j] += b;
    });
  }
  let num: bigint;
  let den: bigint;
  if (method === 'fleiss') {
    const Q = totals.reduce((q, t) => q + t * t, 0n);
    num = (S - M) * M - Q * (n - 1n);
    den = (n - 1n) * (M * M - Q);
  } else {
    num = (S - M) * k - M * (n - 1n);
    den = (n - 1n) * M * (k - 1n);
  }
  if (den === 0n) return Number.NaN;
  return ratio(num, den);
}

/** num / den (den > 0) correctly rounded when both fit in 2^53, within a few ulps otherwise. */
function ratio(num: bigint, den: bigint): number {
  const limit = 1n << 53n;
  const abs = num < 0n ? -num : num;
  if (abs <= limit && den <= limit) return Number(num) / Number(den);
  // Shift both down so they fit; the quotient keeps about 52 significant bits.
  let shift = 0n;
  while (abs >> shift > limit || den >> shift > limit) shift++;
  return Number(num >> shift) / Number(den >> shift);
}

/**
 * Converts an items × raters label matrix into the items × categories count table that
 * {@link fleissKappa} expects (like statsmodels' `aggregate_raters`).
 *
 * @param ratings - items × raters; `null`/`undefined` entries are skipped
 * @param categories - category order; default: sorted distinct labels
 * @returns `{ counts, categories }`
 * @throws RangeError if a label is not among `categories`
 */
export function ratingsToCounts<L extends string | number>(
  ratings: ReadonlyArray<ReadonlyArray<L | null | undefined>>,
  categories?: ReadonlyArray<L>,
): { counts: number[][]; categories: L[] } {
  let cats: L[];
  if (categories) cats = [...categories];
  else {
    const seen = new Set<L>();
    for (const row of ratings) for (const v of row) if (v !== null && v !== undefined) seen.add(v);
    cats = [...seen].sort(compareLabels);
  }
  const index = new Map<L, number>(cats.map((c, i) => [c, i]));
  const counts = ratings.map((row) => {
    const out = new Array<number>(cats.length).fill(0);
    for (const v of row) {
      if (v === null || v === undefined) continue;
      const j = index.get(v);
      if (j === undefined) throw new RangeError(`ratingsToCounts: label ${String(v)} is not among the categories`);
      out[j]++;
    }
    return out;
  });
  return { counts, categories: cats };
}
