/**
 * Confidence-based performance estimation (CBPE), the method NannyML publishes: a classifier's
 * accuracy on unlabelled data is the mean probability it gives its own prediction, once those
 * probabilities are calibrated on labelled reference data (isotonic regression).
 *
 * - Two classes: one curve on the probability of the second class; a row's expected correctness is
 *   `p` when it predicts that class and `1 − p` otherwise (NannyML's binary CBPE).
 * - More classes: one curve per class (one-vs-rest), each row's calibrated probabilities divided by
 *   their sum (uniform when all are 0); a row's expected correctness is the calibrated probability
 *   of its predicted class (NannyML's multiclass CBPE).
 *
 * NannyML also skips a class's calibration when a cross-validated expected calibration error does
 * not improve; here the caller decides (`calibrate`), by default every class is calibrated.
 */
import { IsotonicCurve, isotonicFit, isotonicPredict } from './isotonic';

/** Labelled reference rows: each row's class probabilities and its true class (an index). */
export interface CbpeReference {
  probabilities: ReadonlyArray<ArrayLike<number>>;
  truth: ArrayLike<number>;
}

/** A fitted estimator: the number of classes and, per calibrated curve, its isotonic fit. */
export interface CbpeModel {
  classes: number;
  /** Two classes: one curve (the second class). More: one per class. `null`: left uncalibrated. */
  curves: Array<IsotonicCurve | null>;
}

/** Options for {@link fitCbpe}. */
export interface CbpeOptions {
  /** Per curve, whether to calibrate it (default: all). */
  calibrate?: boolean[];
}

function checkRow(p: ArrayLike<number>, k: number, where: string): void {
  if (p.length !== k) throw new RangeError(`${where}: expected ${k} class probabilities, got ${p.length}`);
  for (let c = 0; c < k; c++) {
    if (!(p[c] >= 0 && p[c] <= 1)) throw new RangeError(`${where}: probability of class ${c} must be in [0, 1], got ${p[c]}`);
  }
}

/**
 * Fits the calibration curves on reference rows.
 * @param reference - at least one row; every row has the same number (≥ 2) of class probabilities
 */
export function fitCbpe(reference: CbpeReference, options: CbpeOptions = {}): CbpeModel {
  const n = reference.probabilities.length;
  if (n === 0 || reference.truth.length !== n)
    throw new RangeError(`fitCbpe: need equal, non-zero numbers of rows and truths (${n}, ${reference.truth.length})`);
  const k = reference.probabilities[0].length;
  if (k < 2) throw new RangeError(`fitCbpe: need at least two classes, got ${k}`);
  reference.probabilities.forEach((p, i) => checkRow(p, k, `fitCbpe: row ${i}`));
  for (let i = 0; i < n; i++) {
    const t = reference.truth[i];
    if (!Number.isInteger(t) || t < 0 || t >= k) throw new RangeError(`fitCbpe: truth of row ${i} must be a class index in [0, ${k}), got ${t}`);
  }
  const curveClasses = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
  const curves = curveClasses.map((c, j) => {
    if (options.calibrate && options.calibrate[j] === false) return null;
    const x = reference.probabilities.map((p) => p[c]);
    const y = Array.from({ length: n }, (_, i) => (reference.truth[i] === c ? 1 : 0));
    return isotonicFit(x, y);
  });
  return { classes: k, curves };
}

const apply = (curve: IsotonicCurve | null, v: number): number => (curve ? isotonicPredict(curve, v) : v);

/**
 * A row's calibrated class probabilities (they sum to 1).
 * @param p - the row's class probabilities as the model gave them
 */
export function cbpeCalibrate(model: CbpeModel, p: ArrayLike<number>): number[] {
  checkRow(p, model.classes, 'cbpeCalibrate');
  if (model.classes === 2) {
    const q = apply(model.curves[0], p[1]);
    return [1 - q, q];
  }
  const q = Array.from({ length: model.classes }, (_, c) => apply(model.curves[c], p[c]));
  const sum = q.reduce((a, b) => a + b, 0);
  return sum === 0 ? q.map(() => 1 / model.classes) : q.map((v) => v / sum);
}

/**
 * Expected accuracy of predictions whose truth is not known.
 * @param rows - each row's class probabilities and the class the model predicted (an index)
 * @returns the mean calibrated probability of the predicted class, or NaN for no rows
 */
export function cbpeAccuracy(model: CbpeModel, rows: ReadonlyArray<{ probabilities: ArrayLike<number>; predicted: number }>): number {
  if (rows.length === 0) return NaN;
  let sum = 0;
  for (const r of rows) {
    if (!Number.isInteger(r.predicted) || r.predicted < 0 || r.predicted >= model.classes) {
      throw new RangeError(`cbpeAccuracy: predicted class must be an index in [0, ${model.classes}), got ${r.predicted}`);
    }
    sum += cbpeCalibrate(model, r.probabilities)[r.predicted];
  }
  return sum / rows.length;
}
