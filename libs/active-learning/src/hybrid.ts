/**
 * Uncertainty pre-filter followed by k-center diversity (a "top-k·f then core-set" hybrid).
 */
import { kCenterGreedy } from './k-center';
import { uncertainty as score, type ClassProbabilities, type UncertaintyMeasure } from './scores';
import { topKIndices } from './select';

/** A candidate with class probabilities and an embedding. */
export interface EmbeddedCandidate {
  /** Predicted class probabilities. */
  probs: ClassProbabilities;
  /** Embedding used for diversity (all of one dimension). */
  embedding: ArrayLike<number>;
}

/** Options for {@link hybrid}. */
export interface HybridOptions {
  /** Uncertainty measure of the pre-filter (default `'entropy'`). */
  uncertainty?: UncertaintyMeasure;
  /** The pre-filter keeps the k·poolFactor most uncertain candidates (default 3; ≥ 1). */
  poolFactor?: number;
  /** Extra k-center centres (e.g. embeddings of items labelled recently) the batch should stay away from. */
  centers?: ReadonlyArray<ArrayLike<number>>;
}

/**
 * Select min(k, n) candidates: take the ⌈k·poolFactor⌉ most uncertain (ties: lower index), then run
 * {@link kCenterGreedy} on their embeddings to keep k that are spread out. Without `centers`, the
 * k-center pass starts from the most uncertain candidate. poolFactor = 1 reduces to pure
 * uncertainty top-k; a very large poolFactor to pure k-center.
 * @param candidates - items with probabilities and embeddings.
 * @param k - batch size.
 * @param options - see {@link HybridOptions}.
 * @returns the selected candidates (k-center pick order).
 */
export function hybrid<T extends EmbeddedCandidate>(candidates: readonly T[], k: number, options: HybridOptions = {}): T[] {
  if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`hybrid: k must be a non-negative integer, got ${k}`);
  const f = options.poolFactor ?? 3;
  if (!(f >= 1 && Number.isFinite(f))) throw new RangeError(`hybrid: poolFactor must be a finite number >= 1, got ${f}`);
  const measure = options.uncertainty ?? 'entropy';
  const u = new Float64Array(candidates.length);
  candidates.forEach((c, i) => (u[i] = score(measure, c.probs)));
  const pool = topKIndices(u, Math.ceil(k * f));
  const picked = kCenterGreedy(
    pool.map((i) => candidates[i].embedding),
    k,
    { centers: options.centers, first: 0 },
  );
  return picked.map((j) => candidates[pool[j]]);
}
