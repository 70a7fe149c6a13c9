import { countLessOrEqual } from './descriptive';

/**
 * Equal-width bin edges spanning [min, max] of the given samples, reproducing
 * `np.histogram_bin_edges(np.concatenate(samples), bins)` exactly: `bins + 1` edges computed like
 * `np.linspace` (edge i = min + i·(max−min)/bins, last edge set to max), and a constant sample
 * widened to [v − 0.5, v + 0.5] as NumPy does. Where the range is too narrow for `bins` distinct
 * floating-point edges (NumPy raises "Too many bins for data range"), edges that would repeat are
 * merged, so fewer bins come back: a drift test on a near-constant feature gets a coarser
 * histogram instead of an error that would stop its stream.
 * @param samples - one or more non-empty numeric samples (finite values).
 * @param bins - number of bins, a positive integer (default 10).
 */
export function equalWidthEdges(samples: ReadonlyArray<ArrayLike<number>>, bins = 10): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let lo = Infinity;
  let hi = -Infinity;
  let count = 0;
  for (const s of samples) {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      if (!Number.isFinite(v)) throw new RangeError(`equalWidthEdges: non-finite value ${v}`);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      count++;
    }
  }
  if (count === 0) throw new RangeError('equalWidthEdges: no values');
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / bins;
  const edges = [lo];
  for (let i = 1; i < bins; i++) {
    const e = i * step + lo;
    if (e > edges[edges.length - 1] && e < hi) edges.push(e);
  }
  edges.push(hi);
  return edges;
}

/**
 * Throw unless `edges` has at least two finite, strictly increasing values.
 * @param edges - candidate bin edges.
 */
export function assertValidEdges(edges: ArrayLike<number>): void {
  if (edges.length < 2) throw new RangeError('edges must contain at least two values');
  for (let i = 0; i < edges.length; i++) {
    if (!Number.isFinite(edges[i])) throw new RangeError(`edges must be finite (index ${i} is ${edges[i]})`);
    if (i > 0 && !(edges[i] > edges[i - 1])) throw new RangeError('edges must be strictly increasing');
  }
}

/**
 * Index of the bin holding `x` under NumPy `np.histogram` semantics: bin i is
 * `[edges[i], edges[i+1])`, except the last bin which also includes its right edge.
 * @param edges - strictly increasing edges.
 * @param x - value.
 * @returns bin index in `[0, edges.length - 2]`, `-1` below the first edge, `edges.length - 1` above
 *   the last edge, or `NaN` when `x` is NaN.
 */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  if (Number.isNaN(x)) return NaN;
  const nb = edges.length - 1;
  if (x < edges[0]) return -1;
  if (x > edges[nb]) return nb;
  if (x === edges[nb]) return nb - 1;
  return countLessOrEqual(edges, x) - 1;
}

/**
 * Histogram counts of `values` on fixed `edges`, identical to `np.histogram(values, bins=edges)[0]`:
 * values outside [first edge, last edge] (and NaN) are not counted.
 * @param values - sample.
 * @param edges - strictly increasing edges.
 */
export function histogramCounts(values: ArrayLike<number>, edges: ArrayLike<number>): number[] {
  assertValidEdges(edges);
  const nb = edges.length - 1;
  const counts = new Array<number>(nb).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = binIndex(edges, values[i]);
    if (b >= 0 && b < nb) counts[b]++;
  }
  return counts;
}
