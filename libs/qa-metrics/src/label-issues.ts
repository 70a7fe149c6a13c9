/** Result of {@link findLabelIssues}. */
export interface LabelIssues {
  /** `isIssue[i]` is `true` when example `i` is flagged as probably mislabelled. */
  isIssue: boolean[];
  /**
   * Indices of flagged examples, most suspicious first: ascending self-confidence
   * `predProbs[i][labels[i]]`, ties by index.
   */
  issueIndices: number[];
  /** Per-class threshold `t_k`: mean predicted probability of class `k` over examples labelled `k`. */
  thresholds: number[];
  /**
   * Confident joint `C[given][true]`: how many examples with given label `given` were confidently
   * counted as class `true` (raw counts, not calibrated; examples confident about no class are
   * left out).
   */
  confidentJoint: number[][];
  /** The confidently guessed true class of each example, or `null` if no class reached its threshold. */
  suggestedLabels: Array<number | null>;
}

/** Tolerance used by cleanlab (`FLOATING_POINT_COMPARISON`) in threshold and argmax comparisons. */
const EPS = 1e-6;
/** cleanlab's `CONFIDENT_THRESHOLDS_LOWER_BOUND`. */
const THRESHOLD_LOWER_BOUND = 2 * EPS;

/**
 * Finds probably-mislabelled examples by confident learning (Northcutt, Jiang & Chuang,
 * "Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR 2021), with the
 * **confident-joint off-diagonal** rule — cleanlab's `find_label_issues(labels, pred_probs,
 * filter_by='confident_learning')` — not the default `'prune_by_noise_rate'` rule.
 *
 * 1. Threshold per class: `t_k` = mean of `predProbs[i][k]` over examples with `labels[i] = k`
 *    (2, i.e. unreachable, for a class with no examples; at least 2e-6).
 * 2. Example `i` is confident about class `k` when `predProbs[i][k] ≥ t_k − 1e-6`. Its guessed
 *    true class is that class if there is one, the argmax of `predProbs[i]` if there are several,
 *    and none if there is none.
 * 3. Examples whose guessed class differs from the given label (off-diagonal entries of the
 *    confident joint) are flagged, except those whose given label is still the model's argmax
 *    once it gets a 1e-6 bonus (cleanlab's `_reduce_issues`).
 *
 * `predProbs` should be out-of-sample (e.g. cross-validated) predicted probabilities.
 *
 * @param labels - given class index of each example, in `0 … K−1`
 * @param predProbs - examples × K predicted class probabilities (rows need not sum exactly to 1)
 * @returns issue mask, ranked issue indices, thresholds, confident joint and suggested labels
 * @throws RangeError on shape mismatches, labels out of range or non-finite probabilities
 */
export function findLabelIssues(labels: ReadonlyArray<number>, predProbs: ReadonlyArray<ReadonlyArray<number>>): LabelIssues {
  const n = labels.length;
  if (predProbs.length !== n) throw new RangeError(`findLabelIssues: ${n} labels but ${predProbs.length} rows of predProbs`);
  const K = n === 0 ? 0 : predProbs[0].length;
  for (let i = 0; i < n; i++) {
    const row = predProbs[i];
    if (row.length !== K) throw new RangeError('findLabelIssues: every predProbs row needs K entries');
    for (const p of row) if (!Number.isFinite(p)) throw new RangeError('findLabelIssues: probabilities must be finite');
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= K) throw new RangeError(`findLabelIssues: label ${l} is not a class index in [0, ${K})`);
  }

  const sums = new Array<number>(K).fill(0);
  const counts = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) {
    sums[labels[i]] += predProbs[i][labels[i]];
    counts[labels[i]]++;
  }
  const thresholds = sums.map((s, k) => Math.max(THRESHOLD_LOWER_BOUND, counts[k] > 0 ? s / counts[k] : 2));

  const argmax = (row: ReadonlyArray<number>): number => {
    let best = 0;
    for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
    return best;
  };

  const confidentJoint = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const suggestedLabels: Array<number | null> = [];
  const isIssue = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    const row = predProbs[i];
    let nConfident = 0;
    let firstConfident = -1;
    for (let k = 0; k < K; k++) {
      if (row[k] >= thresholds[k] - EPS) {
        nConfident++;
        if (firstConfident < 0) firstConfident = k;
      }
    }
    if (nConfident === 0) {
      suggestedLabels.push(null);
      continue;
    }
    const guess = nConfident > 1 ? argmax(row) : firstConfident;
    suggestedLabels.push(guess);
    confidentJoint[labels[i]][guess]++;
    if (guess === labels[i]) continue;
    const boosted = row.slice();
    boosted[labels[i]] += EPS;
    if (argmax(boosted) !== labels[i]) isIssue[i] = true;
  }

  const issueIndices = isIssue
    .map((flag, i) => (flag ? i : -1))
    .filter((i) => i >= 0)
    .sort((x, y) => predProbs[x][labels[x]] - predProbs[y][labels[y]] || x - y);
  return { isIssue, issueIndices, thresholds, confidentJoint, suggestedLabels };
}
