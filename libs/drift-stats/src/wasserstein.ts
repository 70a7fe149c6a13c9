/**
 * 1-D Wasserstein (earth mover's) distance between empirical distributions.
 */
import { assertFiniteSample, countLessOrEqual, populationStd, sortedCopy } from './descriptive';

/**
 * First Wasserstein distance between two 1-D samples (equal weights), equal to
 * `scipy.stats.wasserstein_distance(a, b)`: the integral of |F_a(x) − F_b(x)| over x, computed
 * exactly from the step ECDFs. Same units as the data.
 * @param a - first sample, non-empty, finite values.
 * @param b - second sample, non-empty, finite values.
 * @throws RangeError on empty or non-finite input.
 */
export function wassersteinDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertFiniteSample(a, 'wassersteinDistance: a');
  assertFiniteSample(b, 'wassersteinDistance: b');
  const sa = sortedCopy(a);
  const sb = sortedCopy(b);
  const all = new Float64Array(sa.length + sb.length);
  all.set(sa, 0);
  all.set(sb, sa.length);
  all.sort();
  let total = 0;
  for (let i = 0; i < all.length - 1; i++) {
    const delta = all[i + 1] - all[i];
    if (delta === 0) continue;
    const fa = countLessOrEqual(sa, all[i]) / sa.length;
    const fb = countLessOrEqual(sb, all[i]) / sb.length;
    total += Math.abs(fa - fb) * delta;
  }
  return total;
}

/** Smallest scale used by {@link normalizedWassersteinDistance} (guards constant references). */
export const WASSERSTEIN_MIN_SCALE = 0.001;

/**
 * Scale-free Wasserstein distance: {@link wassersteinDistance}(reference, current) divided by the
 * **population standard deviation of the reference** (NumPy `np.std(reference)`, ddof = 0), floored at
 * `minScale` (default {@link WASSERSTEIN_MIN_SCALE} = 0.001) so a constant reference gives a finite value.
 * This is the "normed Wasserstein" convention used by e.g. Evidently (drift if > 0.1 by default there).
 * Note the asymmetry: only the reference's spread is used.
 * @param reference - reference sample, non-empty, finite values.
 * @param current - current sample, non-empty, finite values.
 * @param minScale - lower bound on the divisor (default 0.001), must be > 0.
 */
export function normalizedWassersteinDistance(reference: ArrayLike<number>, current: ArrayLike<number>, minScale = WASSERSTEIN_MIN_SCALE): number {
  if (!(minScale > 0)) throw new RangeError(`minScale must be > 0, got ${minScale}`);
  const d = wassersteinDistance(reference, current);
  return d / Math.max(populationStd(reference), minScale);
}
