/**
 * Multiple-testing corrections for running many per-feature drift tests at once.
 */

/** Result of a multiple-testing correction. */
export interface MultipleTestingResult {
  /** `true` where the null hypothesis is rejected at the requested level, in input order. */
  rejected: boolean[];
  /** Adjusted p-values in input order, each in [0, 1]. */
  adjusted: number[];
}

function checkInputs(pValues: ArrayLike<number>, alpha: number, fn: string): void {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`${fn}: alpha must be in (0, 1], got ${alpha}`);
  for (let i = 0; i < pValues.length; i++) {
    const p = pValues[i];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${fn}: p-values must be in [0, 1] (index ${i} is ${p})`);
  }
}

/**
 * Benjamini–Hochberg false-discovery-rate control. Adjusted p-values equal
 * `scipy.stats.false_discovery_control(p, method='bh')` (same as R's `p.adjust(p, "BH")`):
 * sort ascending, p_(i)·m/i, running minimum from the largest rank down, clip to [0, 1], restore order.
 * Hypothesis i is rejected iff its adjusted p-value is <= `alpha`, which is the BH step-up rule.
 * @param pValues - p-values in [0, 1] (may be empty).
 * @param alpha - target FDR level in (0, 1] (default 0.05).
 * @throws RangeError on p-values outside [0, 1] (including NaN) or an invalid alpha.
 */
export function benjaminiHochberg(pValues: ArrayLike<number>, alpha = 0.05): MultipleTestingResult {
  checkInputs(pValues, alpha, 'benjaminiHochberg');
  const m = pValues.length;
  // Stable sort of indices by p-value (NumPy argsort default is quicksort, but ties give equal values anyway).
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => pValues[i] - pValues[j] || i - j);
  const adjustedSorted = order.map((idx, r) => pValues[idx] * (m / (r + 1)));
  for (let r = m - 2; r >= 0; r--) {
    if (adjustedSorted[r + 1] < adjustedSorted[r]) adjustedSorted[r] = adjustedSorted[r + 1];
  }
  const adjusted = new Array<number>(m);
  order.forEach((idx, r) => {
    adjusted[idx] = Math.min(1, Math.max(0, adjustedSorted[r]));
  });
  return { rejected: adjusted.map((p) => p <= alpha), adjusted };
}

/**
 * Bonferroni family-wise error-rate control: adjusted p = min(1, p·m); hypothesis i is rejected iff
 * p_i·m <= `alpha` (same as `statsmodels.stats.multitest.multipletests(p, method='bonferroni')`).
 * @param pValues - p-values in [0, 1] (may be empty).
 * @param alpha - family-wise error rate in (0, 1] (default 0.05).
 * @throws RangeError on p-values outside [0, 1] (including NaN) or an invalid alpha.
 */
export function bonferroni(pValues: ArrayLike<number>, alpha = 0.05): MultipleTestingResult {
  checkInputs(pValues, alpha, 'bonferroni');
  const m = pValues.length;
  const rejected: boolean[] = [];
  const adjusted: number[] = [];
  for (let i = 0; i < m; i++) {
    const scaled = pValues[i] * m;
    rejected.push(scaled <= alpha);
    adjusted.push(Math.min(1, scaled));
  }
  return { rejected, adjusted };
}
