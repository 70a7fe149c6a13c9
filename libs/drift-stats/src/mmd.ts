/**
 * Maximum Mean Discrepancy (MMD) two-sample test for multivariate data such as embeddings.
 */
import { median } from './descriptive';
import { Mulberry32, shuffleInPlace } from './prng';

/** Options for {@link mmdPermutationTest}. */
export interface MmdOptions {
  /** Number of random permutations for the p-value (default 500). */
  permutations?: number;
  /** Seed of the mulberry32 generator driving the permutations (default 42); same seed ⇒ same p-value. */
  seed?: number;
  /**
   * RBF bandwidth σ in k(x, y) = exp(−‖x − y‖² / (2σ²)). Default: the median heuristic, σ = median of
   * the Euclidean distances over all distinct pairs of the pooled sample (falls back to 1 if that is 0).
   */
  bandwidth?: number;
}

/** Result of {@link mmdPermutationTest}. */
export interface MmdResult {
  /** Unbiased MMD² estimate of the observed split (may be slightly negative under the null). */
  statistic: number;
  /** Permutation p-value (1 + #{permuted MMD² >= observed}) / (1 + permutations), in (0, 1]. */
  pValue: number;
  /** Bandwidth σ actually used. */
  bandwidth: number;
  /** Number of permutations performed. */
  permutations: number;
}

function validate(X: ReadonlyArray<ArrayLike<number>>, Y: ReadonlyArray<ArrayLike<number>>): number {
  if (X.length < 2 || Y.length < 2) throw new RangeError('mmd: each sample needs at least 2 rows');
  const dim = X[0].length;
  if (dim === 0) throw new RangeError('mmd: rows must have at least one dimension');
  for (const [name, S] of [
    ['X', X],
    ['Y', Y],
  ] as const) {
    S.forEach((row, i) => {
      if (row.length !== dim) throw new RangeError(`mmd: ${name}[${i}] has dimension ${row.length}, expected ${dim}`);
      for (let k = 0; k < dim; k++) {
        if (!Number.isFinite(row[k])) throw new RangeError(`mmd: ${name}[${i}][${k}] is not finite`);
      }
    });
  }
  return dim;
}

/**
 * Pairwise squared Euclidean distances of the pooled rows, as a flat N×N matrix, with the rows
 * scaled by `scale` (see {@link powerOfTwoScale}).
 */
function pooledSquaredDistances(rows: ReadonlyArray<ArrayLike<number>>, dim: number, scale: number): Float64Array {
  const Z = scale === 1 ? rows : rows.map((row) => Float64Array.from(row, (v) => v * scale));
  const N = Z.length;
  const D = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = i + 1; j < N; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const d = Z[i][k] - Z[j][k];
        s += d * d;
      }
      D[i * N + j] = s;
      D[j * N + i] = s;
    }
  }
  return D;
}

/**
 * A power of two that brings the largest |value| into [1, 2). Squared distances of values beyond
 * about 1e154 overflow to Infinity (NaN kernel), and of values below about 1e-154 underflow to 0
 * (every kernel value 1, so MMD² 0). Multiplying by a power of two is exact, and the RBF kernel
 * with the median-heuristic bandwidth is scale-invariant (an explicit bandwidth is scaled too),
 * so for data that neither overflows nor underflows the kernel matrix is bit-for-bit unchanged.
 */
function powerOfTwoScale(Z: ReadonlyArray<ArrayLike<number>>): number {
  let max = 0;
  for (const row of Z) for (let k = 0; k < row.length; k++) max = Math.max(max, Math.abs(row[k]));
  if (max === 0) return 1;
  const e = Math.floor(Math.log2(max));
  // 2^-e in two steps: 2^1074 alone is not representable.
  return Math.pow(2, -Math.trunc(e / 2)) * Math.pow(2, -(e - Math.trunc(e / 2)));
}

/**
 * Median-heuristic RBF bandwidth: the median Euclidean distance over all distinct pairs of rows of the
 * pooled sample [X; Y] (1 if that median is 0, e.g. mostly duplicated rows).
 * @param X - first sample, rows of equal dimension.
 * @param Y - second sample, rows of the same dimension.
 */
export function medianHeuristicBandwidth(X: ReadonlyArray<ArrayLike<number>>, Y: ReadonlyArray<ArrayLike<number>>): number {
  const dim = validate(X, Y);
  const Z = [...X, ...Y];
  const scale = powerOfTwoScale(Z);
  return resolveBandwidth(undefined, pooledSquaredDistances(Z, dim, scale), Z.length, scale).sigma;
}

/** The median pairwise distance, or undefined if it is 0. */
function medianBandwidth(D2: Float64Array, N: number): number | undefined {
  const dists = new Float64Array((N * (N - 1)) / 2);
  let p = 0;
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) dists[p++] = Math.sqrt(D2[i * N + j]);
  const med = median(dists);
  return med > 0 ? med : undefined;
}

/** Unbiased MMD² for the split where rows with label 0 form X (n rows) and label 1 form Y (m rows). */
function unbiasedMmd2(K: Float64Array, N: number, labels: Uint8Array, n: number, m: number): number {
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < N; i++) {
    const li = labels[i];
    const row = i * N;
    for (let j = i + 1; j < N; j++) {
      const k = K[row + j];
      const lj = labels[j];
      if (li === lj) {
        if (li === 0) sxx += k;
        else syy += k;
      } else {
        sxy += k;
      }
    }
  }
  return (2 * sxx) / (n * (n - 1)) + (2 * syy) / (m * (m - 1)) - (2 * sxy) / (n * m);
}

/**
 * Unbiased estimate of MMD² between samples X and Y with the RBF kernel
 * k(x, y) = exp(−‖x − y‖² / (2σ²)) (Gretton et al. 2012, eq. 3):
 * MMD²_u = 1/(n(n−1)) Σ_{i≠j} k(x_i, x_j) + 1/(m(m−1)) Σ_{i≠j} k(y_i, y_j) − 2/(nm) Σ_{i,j} k(x_i, y_j).
 * @param X - first sample (n >= 2 rows).
 * @param Y - second sample (m >= 2 rows, same dimension).
 * @param bandwidth - σ; defaults to {@link medianHeuristicBandwidth}.
 */
export function mmdUnbiased(X: ReadonlyArray<ArrayLike<number>>, Y: ReadonlyArray<ArrayLike<number>>, bandwidth?: number): number {
  const dim = validate(X, Y);
  const Z = [...X, ...Y];
  const N = Z.length;
  const scale = powerOfTwoScale(Z);
  const D2 = pooledSquaredDistances(Z, dim, scale);
  const K = rbf(D2, resolveBandwidth(bandwidth, D2, N, scale).scaled);
  const labels = new Uint8Array(N).fill(1, X.length);
  return unbiasedMmd2(K, N, labels, X.length, Y.length);
}

/**
 * The bandwidth σ, and σ in the scaled space of D2: the median heuristic (1 when every row is the
 * same: then any bandwidth gives the same kernel), or an explicit one.
 */
function resolveBandwidth(bandwidth: number | undefined, D2: Float64Array, N: number, scale: number): { sigma: number; scaled: number } {
  if (bandwidth === undefined) {
    const med = medianBandwidth(D2, N);
    return med === undefined ? { sigma: 1, scaled: 1 } : { sigma: med / scale, scaled: med };
  }
  if (!(Number.isFinite(bandwidth) && bandwidth > 0)) throw new RangeError(`mmd: bandwidth must be > 0, got ${bandwidth}`);
  return { sigma: bandwidth, scaled: bandwidth * scale };
}

function rbf(D2: Float64Array, sigma: number): Float64Array {
  const K = new Float64Array(D2.length);
  // c is Infinity when σ² underflows (a bandwidth tiny next to the largest value): equal rows
  // still have k = 1, where 0 · Infinity would give NaN.
  const c = 1 / (2 * sigma * sigma);
  for (let i = 0; i < D2.length; i++) K[i] = D2[i] === 0 ? 1 : Math.exp(-D2[i] * c);
  return K;
}

/**
 * Kernel two-sample test for embeddings: unbiased RBF-kernel MMD² ({@link mmdUnbiased}) with a
 * permutation p-value. The pooled kernel matrix is computed once (O((n+m)²·d) time and O((n+m)²)
 * memory — subsample large windows first, e.g. with a {@link Reservoir}); each permutation reshuffles
 * the pooled rows with a seeded mulberry32 Fisher–Yates shuffle, so the p-value is a deterministic
 * function of the inputs and `seed`. p = (1 + #{MMD²_perm >= MMD²_obs}) / (1 + permutations).
 * @param X - reference sample, n >= 2 rows of equal dimension (finite values).
 * @param Y - current sample, m >= 2 rows of the same dimension.
 * @param options - `permutations` (default 500), `seed` (default 42), `bandwidth` (default median heuristic).
 */
export function mmdPermutationTest(X: ReadonlyArray<ArrayLike<number>>, Y: ReadonlyArray<ArrayLike<number>>, options: MmdOptions = {}): MmdResult {
  const permutations = options.permutations ?? 500;
  if (!(Number.isInteger(permutations) && permutations >= 1)) {
    throw new RangeError(`mmd: permutations must be a positive integer, got ${permutations}`);
  }
  const dim = validate(X, Y);
  const Z = [...X, ...Y];
  const N = Z.length;
  const n = X.length;
  const m = Y.length;
  const scale = powerOfTwoScale(Z);
  const D2 = pooledSquaredDistances(Z, dim, scale);
  const { sigma, scaled } = resolveBandwidth(options.bandwidth, D2, N, scale);
  const K = rbf(D2, scaled);
  const labels = new Uint8Array(N).fill(1, n);
  const observed = unbiasedMmd2(K, N, labels, n, m);
  const rng = new Mulberry32(options.seed ?? 42);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    shuffleInPlace(labels, rng);
    if (unbiasedMmd2(K, N, labels, n, m) >= observed) atLeast++;
  }
  return { statistic: observed, pValue: (1 + atLeast) / (1 + permutations), bandwidth: sigma, permutations };
}
