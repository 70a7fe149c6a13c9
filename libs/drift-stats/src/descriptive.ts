/**
 * Small descriptive-statistics helpers shared by the drift statistics. They follow NumPy's
 * conventions so that results can be reproduced with NumPy/SciPy.
 */

/**
 * Throw a `RangeError` unless `values` is non-empty and every element is a finite number.
 * @param values - sample to validate.
 * @param what - name used in the error message.
 */
export function assertFiniteSample(values: ArrayLike<number>, what: string): void {
  if (values.length === 0) {
    throw new RangeError(`${what} must not be empty`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new RangeError(`${what} must contain only finite numbers (index ${i} is ${values[i]})`);
    }
  }
}

/**
 * Return an ascending sorted copy of `values` as a `Float64Array` (numeric sort; input untouched).
 * @param values - numbers to sort.
 */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * Quantile of an already **sorted** sample with NumPy's default `method='linear'`
 * (`np.quantile(x, q)`), including NumPy's two-sided lerp used for numerical symmetry.
 * @param sorted - ascending, non-empty sample.
 * @param q - probability in [0, 1].
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantileSorted: empty sample');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1], got ${q}`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sorted[n - 1];
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[lo + 1];
  const diff = b - a;
  // NumPy's _lerp: a + diff*t, but b - diff*(1-t) when t >= 0.5.
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Median of an unsorted sample (`np.median`): mean of the two central order statistics for even n.
 * @param values - non-empty sample.
 */
export function median(values: ArrayLike<number>): number {
  const s = sortedCopy(values);
  const n = s.length;
  if (n === 0) throw new RangeError('median: empty sample');
  const mid = n >> 1;
  return n % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Arithmetic mean.
 * @param values - non-empty sample.
 */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('mean: empty sample');
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/**
 * Population standard deviation (`np.std(x)`, i.e. `ddof=0`), computed with the two-pass formula.
 * @param values - non-empty sample.
 */
export function populationStd(values: ArrayLike<number>): number {
  const m = mean(values);
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - m;
    ss += d * d;
  }
  return Math.sqrt(ss / values.length);
}

/**
 * Number of elements of a **sorted** array that are `<= x` (NumPy `searchsorted(side='right')`).
 * @param sorted - ascending array.
 * @param x - probe value.
 */
export function countLessOrEqual(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Own-property lookup in a count map, 0 when absent (safe for keys such as `constructor`).
 * @param counts - category → count map.
 * @param key - category.
 */
export function countOf(counts: Readonly<Record<string, number>>, key: string): number {
  return Object.prototype.hasOwnProperty.call(counts, key) ? counts[key] : 0;
}
