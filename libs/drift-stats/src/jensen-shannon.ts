/**
 * Jensen–Shannon distance between discrete distributions (and between numeric samples after binning).
 */
import { assertFiniteSample } from './descriptive';
import { equalWidthEdges, histogramCounts } from './binning';

/** x·ln(x/y) with SciPy `rel_entr` conventions (0 when x = 0). */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * Jensen–Shannon **distance** (square root of the divergence) with base-2 logarithms, equal to
 * `scipy.spatial.distance.jensenshannon(p, q, base=2)`. Inputs are non-negative weights (counts or
 * probabilities) over the same categories/bins; each vector is normalised to sum 1 first.
 * The result lies in [0, 1] (0 = identical, 1 = disjoint supports) and is symmetric; it is clamped to
 * [0, 1] to absorb floating-point round-off (a difference of at most a few ulps from SciPy).
 * @param p - first weight vector (non-negative, finite, positive sum).
 * @param q - second weight vector, same length as `p`.
 * @throws RangeError on length mismatch, negative/non-finite weights, or a zero sum.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`jensenShannonDistance: length mismatch (${p.length} vs ${q.length})`);
  if (p.length === 0) throw new RangeError('jensenShannonDistance: empty input');
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    if (!(Number.isFinite(p[i]) && p[i] >= 0 && Number.isFinite(q[i]) && q[i] >= 0)) {
      throw new RangeError(`jensenShannonDistance: weights must be finite and >= 0 (index ${i})`);
    }
    sp += p[i];
    sq += q[i];
  }
  if (!(sp > 0 && sq > 0)) throw new RangeError('jensenShannonDistance: weights must have a positive sum');
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  const js = (left + right) / Math.LN2;
  return Math.min(1, Math.max(0, Math.sqrt(js / 2)));
}

/** Result of {@link binOnSharedEdges}. */
export interface SharedHistogram {
  /** `bins + 1` equal-width edges over the pooled range (see {@link equalWidthEdges}). */
  edges: number[];
  /** Counts of the first sample per bin. */
  countsA: number[];
  /** Counts of the second sample per bin. */
  countsB: number[];
}

/**
 * Histogram two numeric samples on the **same** equal-width edges spanning the pooled range,
 * i.e. `edges = np.histogram_bin_edges(np.concatenate([a, b]), bins)` and
 * `np.histogram(a, edges)[0]`, `np.histogram(b, edges)[0]` (last bin right-closed).
 * @param a - first sample, non-empty, finite values.
 * @param b - second sample, non-empty, finite values.
 * @param bins - number of bins (default 10).
 */
export function binOnSharedEdges(a: ArrayLike<number>, b: ArrayLike<number>, bins = 10): SharedHistogram {
  assertFiniteSample(a, 'binOnSharedEdges: a');
  assertFiniteSample(b, 'binOnSharedEdges: b');
  const edges = equalWidthEdges([a, b], bins);
  return { edges, countsA: histogramCounts(a, edges), countsB: histogramCounts(b, edges) };
}

/**
 * Jensen–Shannon distance (base 2) between two numeric samples: both are binned on shared
 * equal-width edges with {@link binOnSharedEdges} and the bin counts compared with
 * {@link jensenShannonDistance}. Equivalent to
 * `jensenshannon(np.histogram(a, e)[0], np.histogram(b, e)[0], base=2)` with
 * `e = np.histogram_bin_edges(np.concatenate([a, b]), bins)`.
 * @param a - first sample (e.g. reference).
 * @param b - second sample (e.g. current).
 * @param options - `bins`: number of equal-width bins (default 10).
 */
export function jensenShannonDistanceSamples(a: ArrayLike<number>, b: ArrayLike<number>, options: { bins?: number } = {}): number {
  const h = binOnSharedEdges(a, b, options.bins ?? 10);
  return jensenShannonDistance(h.countsA, h.countsB);
}
