/**
 * A window's accuracy, estimated without labels and measured where labels came.
 *
 * Estimated: confidence-based performance estimation (CBPE, `libs/drift-stats`, checked against
 * NannyML): the mean calibrated probability of each prediction's own class. The calibration
 * curves are fitted on the model version's first CALIBRATION_SIZE predictions that carried
 * ground truth (delayed labels, user overrides): NannyML's labelled reference period. Until
 * CALIBRATION_MIN of them were seen there is no estimate: an uncalibrated mean confidence
 * would be the model's own opinion of itself, which is what drift makes wrong.
 *
 * Measured: the share of the window's predictions with ground truth that were right.
 */
import { CbpeModel, cbpeAccuracy, fitCbpe } from '@labelloop/drift-stats';
import type { DetectorState } from './detector';
import type { Snap } from './snapshot';

/** Labelled predictions a version's calibration is fitted on, at most (its reference period). */
export const CALIBRATION_SIZE = 500;
/** Labelled predictions needed before a window's accuracy is estimated. */
export const CALIBRATION_MIN = 100;
/** Models with more classes keep no class probabilities per event (bounded state) and get no estimate. */
export const MAX_CBPE_CLASSES = 32;

/** The labelled predictions a model version's CBPE is calibrated on. */
export interface Calibration {
  /** Class names, sorted: the order of each row's probabilities. */
  classes: string[];
  /** Each labelled prediction's class probabilities and its true class (an index into `classes`). */
  rows: { p: number[]; y: number }[];
}

/** What a tested window's accuracy was: estimated, measured, and on how much. */
export interface WindowAccuracy {
  /** CBPE's expected accuracy; undefined before calibration, or with no prediction it could read. */
  estimated?: number;
  /** Share right among the window's predictions with ground truth; undefined when none had it. */
  measured?: number;
  /** The window's predictions that carried ground truth. */
  labelled: number;
  /** Labelled predictions the estimate was calibrated on. */
  calibration: number;
  /** Share right among those labelled predictions: what the estimate is compared with. */
  calibrationAccuracy?: number;
}

/** A prediction's class probabilities in the calibration's class order, or undefined when its classes differ. */
function ordered(classes: string[], probs: Record<string, number>): number[] | undefined {
  const p = new Array<number>(classes.length);
  let n = 0;
  for (const k in probs) {
    const i = classes.indexOf(k);
    if (i < 0) return undefined;
    p[i] = probs[k];
    n++;
  }
  return n === classes.length ? p : undefined;
}

/**
 * Adds a prediction with ground truth to its version's calibration while the calibration is
 * not full. The first such prediction fixes the classes; later ones with other classes, or
 * whose truth is not one of them, are left out.
 */
export function addCalibration(st: DetectorState, s: Snap): void {
  if (s.truth === undefined || !s.probs) return;
  if (!st.calibration) {
    const classes = Object.keys(s.probs).sort();
    if (classes.length < 2 || classes.length > MAX_CBPE_CLASSES) return;
    st.calibration = { classes, rows: [] };
  }
  const c = st.calibration;
  if (c.rows.length >= CALIBRATION_SIZE) return;
  const y = c.classes.indexOf(s.truth);
  const p = ordered(c.classes, s.probs);
  if (y >= 0 && p) c.rows.push({ p, y });
}

/** A calibration's fitted curves and the accuracy of its rows, by rows array: refitted only while it fills up. */
const fitted = new WeakMap<object, { length: number; model: CbpeModel; accuracy: number }>();

function fitOf(c: Calibration): { model: CbpeModel; accuracy: number } {
  const hit = fitted.get(c.rows);
  if (hit && hit.length === c.rows.length) return hit;
  const fit = {
    length: c.rows.length,
    model: fitCbpe({ probabilities: c.rows.map((r) => r.p), truth: c.rows.map((r) => r.y) }),
    accuracy: calibrationAccuracy(c),
  };
  fitted.set(c.rows, fit);
  return fit;
}

/**
 * The window's estimated and measured accuracy.
 * @param correct - the window's predictions with ground truth: [right, labelled] (its column view's `correct`)
 */
export function windowAccuracy(calibration: Calibration | undefined, window: readonly Snap[], correct: readonly [number, number]): WindowAccuracy {
  const [right, labelled] = correct;
  const out: WindowAccuracy = { labelled, calibration: calibration?.rows.length ?? 0 };
  if (labelled > 0) out.measured = right / labelled;
  if (!calibration || calibration.rows.length < CALIBRATION_MIN) return out;
  const rows: { probabilities: number[]; predicted: number }[] = [];
  for (const s of window) {
    if (!s.probs) continue;
    const predicted = calibration.classes.indexOf(s.label);
    const p = predicted >= 0 ? ordered(calibration.classes, s.probs) : undefined;
    if (p) rows.push({ probabilities: p, predicted });
  }
  if (rows.length === 0) return out;
  const fit = fitOf(calibration);
  out.estimated = cbpeAccuracy(fit.model, rows);
  out.calibrationAccuracy = fit.accuracy;
  return out;
}

/** Share of the calibration's labelled predictions whose most probable class was the truth. */
function calibrationAccuracy(c: Calibration): number {
  let right = 0;
  for (const r of c.rows) {
    let best = 0;
    for (let k = 1; k < r.p.length; k++) if (r.p[k] > r.p[best]) best = k;
    if (best === r.y) right++;
  }
  return right / c.rows.length;
}
