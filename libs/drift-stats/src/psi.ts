/**
 * Population Stability Index (PSI) for numeric and categorical features.
 */
import { assertFiniteSample, countLessOrEqual, countOf, quantileSorted, sortedCopy } from './descriptive';

/** Proportion used in place of an empty bin (0 count) so that the logarithm stays finite. */
export const PSI_DEFAULT_EPSILON = 1e-4;

/** Options for {@link psi}. */
export interface PsiOptions {
  /** Number of quantile bins of the reference (default 10, i.e. deciles). */
  bins?: number;
  /**
   * Proportion substituted for any bin whose observed proportion is exactly 0, in either sample
   * (default {@link PSI_DEFAULT_EPSILON} = 1e-4). Proportions are not renormalised afterwards.
   */
  epsilon?: number;
}

/** Detailed PSI result returned by {@link psiDetailed}. */
export interface PsiResult {
  /** The PSI value, >= 0. */
  psi: number;
  /** Interior bin edges (reference quantiles, duplicates removed); bins are (-inf, e0), [e0, e1), …, [e_last, +inf). */
  edges: number[];
  /** Reference proportion per bin (before epsilon substitution). */
  referenceProportions: number[];
  /** Current proportion per bin (before epsilon substitution). */
  currentProportions: number[];
}

function psiFromProportions(ref: number[], cur: number[], eps: number): number {
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] === 0 ? eps : ref[i];
    const c = cur[i] === 0 ? eps : cur[i];
    s += (c - r) * Math.log(c / r);
  }
  return s;
}

function checkEpsilon(eps: number): void {
  if (!(eps > 0 && eps < 1)) throw new RangeError(`epsilon must be in (0, 1), got ${eps}`);
}

/**
 * Reference-quantile bin edges used by {@link psi}: the `k/bins` quantiles (k = 1 … bins−1) of the
 * reference with NumPy's default linear interpolation, deduplicated (ties can merge bins).
 * @param reference - non-empty reference sample, finite values.
 * @param bins - number of quantile bins (positive integer).
 */
export function quantileEdges(reference: ArrayLike<number>, bins = 10): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  assertFiniteSample(reference, 'quantileEdges: reference');
  const s = sortedCopy(reference);
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const q = quantileSorted(s, k / bins);
    if (edges.length === 0 || q > edges[edges.length - 1]) edges.push(q);
  }
  return edges;
}

function proportions(values: ArrayLike<number>, edges: number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) counts[countLessOrEqual(edges, values[i])]++;
  return counts.map((c) => c / values.length);
}

/**
 * Population Stability Index with all details (edges and per-bin proportions). See {@link psi}.
 * @param reference - reference (training/baseline) sample.
 * @param current - current (production) sample.
 * @param options - see {@link PsiOptions}.
 */
export function psiDetailed(reference: ArrayLike<number>, current: ArrayLike<number>, options: PsiOptions = {}): PsiResult {
  const bins = options.bins ?? 10;
  const eps = options.epsilon ?? PSI_DEFAULT_EPSILON;
  checkEpsilon(eps);
  assertFiniteSample(current, 'psi: current');
  const edges = quantileEdges(reference, bins);
  const referenceProportions = proportions(reference, edges);
  const currentProportions = proportions(current, edges);
  return {
    psi: psiFromProportions(referenceProportions, currentProportions, eps),
    edges,
    referenceProportions,
    currentProportions,
  };
}

/**
 * Population Stability Index of a numeric feature:
 * PSI = Σ_i (c_i − r_i) · ln(c_i / r_i), where r_i and c_i are the reference and current proportions
 * in bin i.
 *
 * Bins are defined by reference quantiles ({@link quantileEdges}, default 10 bins = deciles), with
 * open outer bins so every current value falls in some bin: (−∞, e0), [e0, e1), …, [e_last, +∞)
 * (left-closed, i.e. NumPy `searchsorted(edges, x, side='right')`). Tied quantiles are merged, so a
 * heavily discrete reference may yield fewer bins.
 *
 * Empty bins: a proportion of exactly 0 (in either sample) is replaced by `epsilon`
 * (default **1e-4**) before the formula is applied; proportions are not renormalised. Every term is
 * non-negative, so PSI >= 0. Common reading: < 0.1 no shift, 0.1–0.25 moderate, > 0.25 major.
 *
 * @param reference - reference (baseline) sample, non-empty, finite values.
 * @param current - current sample, non-empty, finite values.
 * @param options - `bins` (default 10) and `epsilon` (default 1e-4).
 * @throws RangeError on empty/non-finite input or invalid options.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, options: PsiOptions = {}): number {
  return psiDetailed(reference, current, options).psi;
}

/**
 * Population Stability Index of a categorical feature from per-category counts:
 * PSI = Σ_k (c_k − r_k) · ln(c_k / r_k) over the union of categories of both count maps, with
 * r_k, c_k the proportions. A category missing from one map counts as 0 there; a proportion of
 * exactly 0 is replaced by `epsilon` (default **1e-4**), without renormalisation.
 *
 * @param refCounts - reference counts per category (non-negative finite numbers, positive total).
 * @param curCounts - current counts per category (non-negative finite numbers, positive total).
 * @param epsilon - proportion substituted for empty categories (default 1e-4).
 * @throws RangeError on negative/non-finite counts or a zero total.
 */
export function psiCategorical(
  refCounts: Readonly<Record<string, number>>,
  curCounts: Readonly<Record<string, number>>,
  epsilon = PSI_DEFAULT_EPSILON,
): number {
  checkEpsilon(epsilon);
  const keys = Array.from(new Set([...Object.keys(refCounts), ...Object.keys(curCounts)])).sort();
  const ref = keys.map((k) => countOf(refCounts, k));
  const cur = keys.map((k) => countOf(curCounts, k));
  const total = (xs: number[], what: string): number => {
    let t = 0;
    for (const x of xs) {
      if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`psiCategorical: ${what} counts must be finite and >= 0`);
      t += x;
    }
    if (t <= 0) throw new RangeError(`psiCategorical: ${what} counts must have a positive total`);
    return t;
  };
  const rt = total(ref, 'reference');
  const ct = total(cur, 'current');
  return psiFromProportions(
    ref.map((x) => x / rt),
    cur.map((x) => x / ct),
    epsilon,
  );
}
