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
