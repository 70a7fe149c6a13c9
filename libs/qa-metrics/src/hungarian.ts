/** Options of {@link linearSumAssignment}. */
export interface LinearSumAssignmentOptions {
  /** Maximise the total instead of minimising it (default `false`). */
  maximize?: boolean;
}

/** Result of {@link linearSumAssignment}: row `rowInd[t]` is assigned to column `colInd[t]`. */
export interface Assignment {
  /** Assigned row indices, ascending. */
  rowInd: number[];
  /** Column assigned to each entry of `rowInd`. */
  colInd: number[];
  /** Sum of the assigned entries of the original matrix. */
  total: number;
}

/**
 * Optimal assignment on a rectangular cost matrix (the linear sum assignment problem), by the
 * Hungarian / Kuhn–Munkres algorithm with potentials (shortest augmenting paths), O(n²·m).
 *
 * Same contract as SciPy's `scipy.optimize.linear_sum_assignment`: exactly `min(rows, cols)`
 * pairs are returned, no row or column is used twice, and the sum of the chosen entries is
 * minimal (or maximal with `maximize`). When several assignments are optimal, which one is
 * returned is deterministic but may differ from SciPy's.
 *
 * @param cost - rows × cols matrix of finite numbers (rows may be fewer or more than columns)
 * @param options - `maximize` to find the maximum-weight assignment
 * @returns the assignment, with rows ascending
 * @throws RangeError for a ragged matrix or non-finite entries
 */
export function linearSumAssignment(cost: ReadonlyArray<ReadonlyArray<number>>, options: LinearSumAssignmentOptions = {}): Assignment {
  const rows = cost.length;
  const cols = rows === 0 ? 0 : cost[0].length;
  for (const r of cost) {
    if (r.length !== cols) throw new RangeError('linearSumAssignment: ragged cost matrix');
    for (const x of r) if (!Number.isFinite(x)) throw new RangeError(`linearSumAssignment: non-finite cost ${x}`);
  }
  if (rows === 0 || cols === 0) return { rowInd: [], colInd: [], total: 0 };

  const sign = options.maximize ? -1 : 1;
  const transpose = rows > cols;
  const n = transpose ? cols : rows; // n ≤ m
  const m = transpose ? rows : cols;
  const a = (i: number, j: number): number => sign * (transpose ? cost[j][i] : cost[i][j]);

  // 1-based arrays; index 0 is the virtual start column.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row (1-based) matched to column j, 0 if none
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }

  const pairs: Array<[number, number]> = [];
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    const r = p[j] - 1;
    const c = j - 1;
    pairs.push(transpose ? [c, r] : [r, c]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  const rowInd = pairs.map((q) => q[0]);
  const colInd = pairs.map((q) => q[1]);
  let total = 0;
  for (const [r, c] of pairs) total += cost[r][c];
  return { rowInd, colInd, total };
}
