/**
 * Isotonic (monotone non-decreasing) regression by pool-adjacent-violators, with the semantics of
 * scikit-learn's `IsotonicRegression(increasing=True, out_of_bounds='clip')`: equal x values are
 * merged into their weighted mean first, predictions interpolate linearly between the fitted
 * points and are clipped to the end values outside them.
 */

/** A fitted isotonic curve: strictly increasing `x`, non-decreasing `y`. */
export interface IsotonicCurve {
  x: number[];
  y: number[];
}

/**
 * Fits a non-decreasing step-free curve to (x, y) minimising the squared error.
 * @param x - inputs, finite, any order
 * @param y - targets, finite, same length as x
 */
export function isotonicFit(x: ArrayLike<number>, y: ArrayLike<number>): IsotonicCurve {
  const n = x.length;
  if (n === 0 || y.length !== n) throw new RangeError(`isotonicFit: need equal, non-zero lengths (x ${n}, y ${y.length})`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || y[a] - y[b]);
  // Merge equal x into one point carrying the mean of its y and its count as weight.
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  for (const i of order) {
    const xi = x[i];
    const yi = y[i];
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) throw new RangeError(`isotonicFit: non-finite value at index ${i}`);
    const last = ux.length - 1;
    if (last >= 0 && ux[last] === xi) {
      uy[last] = (uy[last] * uw[last] + yi) / (uw[last] + 1);
      uw[last] += 1;
    } else {
      ux.push(xi);
      uy.push(yi);
      uw.push(1);
    }
  }
  // Pool adjacent violators: blocks of (weighted mean, weight, length).
  const mean: number[] = [];
  const weight: number[] = [];
  const size: number[] = [];
  for (let i = 0; i < ux.length; i++) {
    mean.push(uy[i]);
    weight.push(uw[i]);
    size.push(1);
    while (mean.length > 1 && mean[mean.length - 2] > mean[mean.length - 1]) {
      const w = weight[weight.length - 2] + weight[weight.length - 1];
      const m = (mean[mean.length - 2] * weight[weight.length - 2] + mean[mean.length - 1] * weight[weight.length - 1]) / w;
      const s = size[size.length - 2] + size[size.length - 1];
      mean.length -= 1;
      weight.length -= 1;
      size.length -= 1;
      mean[mean.length - 1] = m;
      weight[weight.length - 1] = w;
      size[size.length - 1] = s;
    }
  }
  const fitted: number[] = [];
  for (let b = 0; b < mean.length; b++) for (let k = 0; k < size[b]; k++) fitted.push(mean[b]);
  return { x: ux, y: fitted };
}

/** The curve's value at `v`: linear between fitted points, the end values outside them. */
export function isotonicPredict(curve: IsotonicCurve, v: number): number {
  const { x, y } = curve;
  if (v <= x[0]) return y[0];
  const last = x.length - 1;
  if (v >= x[last]) return y[last];
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= v) lo = mid;
    else hi = mid;
  }
  return y[lo] + ((y[hi] - y[lo]) * (v - x[lo])) / (x[hi] - x[lo]);
}
