/**
 * Generic top-k and seeded random selection.
 */
import { Mulberry32 } from '@labelloop/drift-stats';

function checkK(k: number, fn: string): void {
  if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`${fn}: k must be a non-negative integer, got ${k}`);
}

/**
 * Indices of the `k` highest scores, best first. Ties are broken by the lower index, and NaN
 * scores rank below every number, so the result is deterministic. Returns min(k, n) distinct indices.
 * @param scores - one score per candidate.
 * @param k - how many to select (non-negative integer).
 */
export function topKIndices(scores: ArrayLike<number>, k: number): number[] {
  checkK(k, 'topKIndices');
  const n = scores.length;
  const m = Math.min(k, n);
  if (m === 0) return [];
  const key = (i: number): number => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  const before = (i: number, j: number): boolean => {
    const a = key(i);
    const b = key(j);
    if (a !== b) return a > b;
    // equal keys (including NaN vs -Infinity): numbers before NaN, then lower index
    const an = Number.isNaN(scores[i]);
    const bn = Number.isNaN(scores[j]);
    if (an !== bn) return bn;
    return i < j;
  };
  // Bounded min-heap (worst at the root) of size m: O(n log m).
  const heap: number[] = [];
  const worse = (i: number, j: number): boolean => before(j, i);
  const up = (p: number): void => {
    while (p > 0) {
      const q = (p - 1) >> 1;
      if (!worse(heap[p], heap[q])) break;
      [heap[p], heap[q]] = [heap[q], heap[p]];
      p = q;
    }
  };
  const down = (p: number): void => {
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let w = p;
      if (l < heap.length && worse(heap[l], heap[w])) w = l;
      if (r < heap.length && worse(heap[r], heap[w])) w = r;
      if (w === p) return;
      [heap[p], heap[w]] = [heap[w], heap[p]];
      p = w;
    }
  };
  for (let i = 0; i < n; i++) {
    if (heap.length < m) {
      heap.push(i);
      up(heap.length - 1);
    } else if (before(i, heap[0])) {
      heap[0] = i;
      down(0);
    }
  }
  return heap.sort((i, j) => (before(i, j) ? -1 : 1));
}

/**
 * The `k` candidates with the highest `score`, best first (ties: earlier candidate first; NaN last).
 * Each candidate is selected at most once; the result has min(k, n) elements.
 * @param candidates - the candidates.
 * @param k - how many to select.
 * @param score - score of a candidate (higher = more wanted); called once per candidate.
 */
export function selectTopK<T>(candidates: readonly T[], k: number, score: (candidate: T, index: number) => number): T[] {
  const s = new Float64Array(candidates.length);
  candidates.forEach((c, i) => (s[i] = score(c, i)));
  return topKIndices(s, k).map((i) => candidates[i]);
}

/**
 * Indices of a uniform random sample of min(k, n) distinct positions in [0, n), in sampling order
 * (partial Fisher–Yates). Deterministic for a given generator state.
 * @param n - population size.
 * @param k - sample size.
 * @param rng - a {@link Mulberry32} generator (advanced) or a seed for a new one.
 */
export function randomIndices(n: number, k: number, rng: Mulberry32 | number): number[] {
  checkK(k, 'randomIndices');
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`randomIndices: n must be a non-negative integer, got ${n}`);
  const r = typeof rng === 'number' ? new Mulberry32(rng) : rng;
  const m = Math.min(k, n);
  // Sparse partial Fisher–Yates: only touched positions are stored, so cost is O(m) for any n.
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    const j = i + r.nextInt(n - i);
    const vj = swapped.get(j) ?? j;
    const vi = swapped.get(i) ?? i;
    swapped.set(j, vi);
    out.push(vj);
  }
  return out;
}

/**
 * Uniform random sample (without replacement) of min(k, n) candidates, driven by a seeded
 * mulberry32 generator so it is reproducible.
 * @param candidates - the candidates.
 * @param k - how many to select.
 * @param rng - a {@link Mulberry32} generator (advanced) or a seed for a new one.
 */
export function randomSample<T>(candidates: readonly T[], k: number, rng: Mulberry32 | number): T[] {
  return randomIndices(candidates.length, k, rng).map((i) => candidates[i]);
}
