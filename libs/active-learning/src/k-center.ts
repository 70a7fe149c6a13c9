/**
 * Core-set selection by k-center greedy (Sener & Savarese, "Active Learning for Convolutional
 * Neural Networks: A Core-Set Approach", ICLR 2018, Algorithm 1).
 */

/** Options for {@link kCenterGreedy}. */
export interface KCenterOptions {
  /** Indices into `embeddings` that are already selected/labelled: they act as centres and are never returned. */
  alreadySelected?: readonly number[];
  /** Extra centres that are not candidates (e.g. embeddings of the labelled training set). */
  centers?: ReadonlyArray<ArrayLike<number>>;
  /**
   * Index picked first when there is no centre at all (no `alreadySelected`, no `centers`): default 0.
   * (Sener & Savarese pick it at random; a fixed choice keeps the function deterministic, and lets a
   * caller start from, say, the most uncertain candidate.)
   */
  first?: number;
}

function sqDist(a: Float64Array, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const x = a[ao + t] - b[bo + t];
    s += x * x;
  }
  return s;
}

/**
 * Greedy k-center selection with Euclidean distance: repeatedly pick the candidate whose distance to
 * its nearest centre is largest, then make it a centre. This is the 2-approximation of the minimax
 * facility-location (k-center) problem that Sener & Savarese use to choose a batch that covers the
 * pool instead of k near-copies of one region.
 *
 * Ties go to the lower index. Once every remaining candidate coincides with a centre (distance 0),
 * the rest are filled in index order, so the result always has min(k, n − |alreadySelected|)
 * distinct indices, none of them in `alreadySelected`. Cost O((n·(k + |centres|))·d).
 * @param embeddings - candidate vectors, all of the same dimension d ≥ 1.
 * @param k - number of new candidates to select.
 * @param options - existing centres and the starting index, see {@link KCenterOptions}.
 * @returns indices of the selected candidates, in pick order.
 */
export function kCenterGreedy(embeddings: ReadonlyArray<ArrayLike<number>>, k: number, options: KCenterOptions = {}): number[] {
  if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`kCenterGreedy: k must be a non-negative integer, got ${k}`);
  const n = embeddings.length;
  const centers = options.centers ?? [];
  const d = n > 0 ? embeddings[0].length : centers.length > 0 ? centers[0].length : 0;
  const X = new Float64Array(n * d);
  embeddings.forEach((e, i) => {
    if (e.length !== d) throw new RangeError(`kCenterGreedy: embedding ${i} has dimension ${e.length}, expected ${d}`);
    for (let t = 0; t < d; t++) {
      const v = e[t];
      if (!Number.isFinite(v)) throw new RangeError(`kCenterGreedy: embedding ${i} has a non-finite value`);
      X[i * d + t] = v;
    }
  });
  centers.forEach((c, j) => {
    if (c.length !== d) throw new RangeError(`kCenterGreedy: centre ${j} has dimension ${c.length}, expected ${d}`);
  });
  const taken = new Uint8Array(n);
  for (const i of options.alreadySelected ?? []) {
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new RangeError(`kCenterGreedy: alreadySelected index ${i} out of range`);
    taken[i] = 1;
  }
  const minD = new Float64Array(n).fill(Infinity);
  const relax = (src: ArrayLike<number>, so: number): void => {
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      const dd = sqDist(X, i * d, src, so, d);
      if (dd < minD[i]) minD[i] = dd;
    }
  };
  let haveCenter = false;
  for (const c of centers) {
    relax(c, 0);
    haveCenter = true;
  }
  for (let i = 0; i < n; i++) {
    if (taken[i]) {
      relax(X, i * d);
      haveCenter = true;
    }
  }
  const out: number[] = [];
  let free = 0;
  for (let i = 0; i < n; i++) if (!taken[i]) free++;
  const m = Math.min(k, free);
  if (m > 0 && !haveCenter) {
    const f = options.first ?? 0;
    if (!(Number.isInteger(f) && f >= 0 && f < n)) throw new RangeError(`kCenterGreedy: first must be an index in [0, ${n}), got ${f}`);
    taken[f] = 1;
    out.push(f);
    relax(X, f * d);
  }
  while (out.length < m) {
    let best = -1;
    let bd = -Infinity;
    for (let i = 0; i < n; i++) {
      if (!taken[i] && minD[i] > bd) {
        bd = minD[i];
        best = i;
      }
    }
    taken[best] = 1;
    out.push(best);
    relax(X, best * d);
  }
  return out;
}
