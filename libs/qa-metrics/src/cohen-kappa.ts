import { assertValidLabel, uniqueSortedLabels, type Label } from './labels';

/** Disagreement weighting for {@link cohenKappa}. */
export type KappaWeights = 'none' | 'linear' | 'quadratic';

/** Options of {@link cohenKappa}. */
export interface CohenKappaOptions {
  /**
   * `'none'` (default): unweighted kappa; `'linear'` / `'quadratic'`: weighted kappa with
   * disagreement weights `|i − j|` / `(i − j)²` on the positions of the labels in `labels`.
   */
  weights?: KappaWeights;
  /**
   * The label set and its order (the order matters for weighted kappa). Pairs in which either
   * label is not in this list are ignored, as in scikit-learn. Default: the sorted distinct
   * labels of both raters.
   */
  labels?: ReadonlyArray<Label>;
  /** Optional per-pair weights (scikit-learn's `sample_weight`). */
  sampleWeight?: ReadonlyArray<number>;
}

/**
 * Cohen's kappa between two raters who labelled the same items, optionally weighted.
 *
 * Defined exactly as scikit-learn's `sklearn.metrics.cohen_kappa_score` (same label
 * ordering, same weight matrices, same handling of `labels` and `sample_weight`):
 * `κ = 1 − Σ w_ij O_ij / Σ w_ij E_ij`, with `O` the confusion matrix and `E` the outer product of
 * its marginals divided by the total.
 *
 * @param a - labels of rater 1, one per item
 * @param b - labels of rater 2, aligned with `a`
 * @param options - weighting, label set and sample weights
 * @returns kappa in [−1, 1]; `NaN` when undefined (no usable pairs, or expected disagreement 0,
 *   e.g. both raters always used one and the same label) — scikit-learn's default
 *   `replace_undefined_by=np.nan`
 * @throws RangeError if the arrays have different lengths
 */
export function cohenKappa(a: ReadonlyArray<Label>, b: ReadonlyArray<Label>, options: CohenKappaOptions = {}): number {
  if (a.length !== b.length) throw new RangeError(`cohenKappa: rater arrays differ in length (${a.length} vs ${b.length})`);
  const weights = options.weights ?? 'none';
  if (weights !== 'none' && weights !== 'linear' && weights !== 'quadratic') {
    throw new RangeError(`cohenKappa: unknown weights '${String(weights)}'`);
  }
  const sw = options.sampleWeight;
  if (sw && sw.length !== a.length) throw new RangeError('cohenKappa: sampleWeight must have one weight per item');
  for (const v of a) assertValidLabel(v, 'cohenKappa');
  for (const v of b) assertValidLabel(v, 'cohenKappa');

  const labels = options.labels ? [...options.labels] : uniqueSortedLabels(a, b);
  const index = new Map<Label, number>();
  labels.forEach((l, i) => {
    if (index.has(l)) throw new RangeError(`cohenKappa: duplicate label ${String(l)} in options.labels`);
    index.set(l, i);
  });
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let t = 0; t < a.length; t++) {
    const i = index.get(a[t]);
    const j = index.get(b[t]);
    if (i === undefined || j === undefined) continue;
    confusion[i][j] += sw ? sw[t] : 1;
  }

  const rowSums = confusion.map((r) => r.reduce((s, x) => s + x, 0));
  const colSums = labels.map((_, j) => confusion.reduce((s, r) => s + r[j], 0));
  const total = rowSums.reduce((s, x) => s + x, 0);
  if (total === 0) return Number.NaN;

  const w = (i: number, j: number): number => (weights === 'none' ? (i === j ? 0 : 1) : weights === 'linear' ? Math.abs(i - j) : (i - j) * (i - j));

  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const wij = w(i, j);
      if (wij === 0) continue;
      observed += wij * confusion[i][j];
      expected += (wij * rowSums[i] * colSums[j]) / total;
    }
  }
  if (expected === 0) return Number.NaN;
  return 1 - observed / expected;
}
