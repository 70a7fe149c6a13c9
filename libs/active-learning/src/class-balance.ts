/**
 * Class-balanced uncertainty selection: boost candidates whose predicted class is rare.
 */
import { argmaxClass, uncertainty, type ClassProbabilities, type UncertaintyMeasure } from './scores';

/** Options for {@link classBalanceWeights}. */
export interface ClassBalanceWeightOptions {
  /** Pseudo-count added to every class count, so an unseen class gets a finite weight (default 1). */
  smoothing?: number;
  /** Exponent applied to the inverse-frequency ratio: 0 = no balancing, 1 = full (default 1). */
  power?: number;
  /** Upper bound of any weight (default 10). */
  maxWeight?: number;
}

/**
 * Inverse-frequency class weights: w_c = min(maxWeight, ((N + K·s) / (K · (n_c + s)))^power), where
 * n_c is the count of class c, N = Σ n_c, K the number of classes and s the smoothing. Perfectly
 * balanced counts give 1 for every class; a class rarer than average gets a weight above 1
 * and the rarest class the largest weight.
 * @param predictedClassCounts - how often each class was predicted (e.g. in the recent stream or the pool); non-negative.
 * @param options - see {@link ClassBalanceWeightOptions}.
 * @returns `{ [class]: weight }` for every class in the input.
 */
export function classBalanceWeights(predictedClassCounts: Readonly<Record<string, number>>, options: ClassBalanceWeightOptions = {}): Record<string, number> {
  const s = options.smoothing ?? 1;
  const power = options.power ?? 1;
  const maxWeight = options.maxWeight ?? 10;
  if (!(s >= 0)) throw new RangeError(`classBalanceWeights: smoothing must be >= 0, got ${s}`);
  if (!(power >= 0)) throw new RangeError(`classBalanceWeights: power must be >= 0, got ${power}`);
  if (!(maxWeight > 0)) throw new RangeError(`classBalanceWeights: maxWeight must be > 0, got ${maxWeight}`);
  const entries = Object.entries(predictedClassCounts);
  const K = entries.length;
  let N = 0;
  for (const [c, n] of entries) {
    if (!(n >= 0 && Number.isFinite(n))) throw new RangeError(`classBalanceWeights: count of ${JSON.stringify(c)} must be a finite number >= 0, got ${n}`);
    N += n;
  }
  const out: Record<string, number> = {};
  for (const [c, n] of entries) {
    const denom = K * (n + s);
    // n_c = 0 without smoothing: infinitely rare (capped below), unless every count is 0 (neutral).
    const ratio = denom === 0 ? (N === 0 ? 1 : Infinity) : (N + K * s) / denom;
    out[c] = Math.min(maxWeight, ratio ** power);
  }
  return out;
}

/** Options for {@link classBalancedSelect}. */
export interface ClassBalancedSelectOptions extends ClassBalanceWeightOptions {
  /** Uncertainty measure multiplied by the class weight (default `'entropy'`). */
  uncertainty?: UncertaintyMeasure;
  /**
   * Predicted-class counts the weights start from (e.g. predictions of the recent stream). Default:
   * the predicted (argmax) classes of the candidates themselves. Classes of candidates missing here
   * count as 0.
   */
  predictedClassCounts?: Readonly<Record<string, number>>;
}

/**
 * Select min(k, n) candidates by uncertainty × class weight, where the weight comes from
 * {@link classBalanceWeights} of the predicted-class counts and is **updated after every pick**
 * (the picked candidate's predicted class is counted once more). Under-represented predicted
 * classes are therefore boosted, but a batch does not collapse onto one rare class: as picks
 * accumulate in a class its weight falls. Within a class candidates are taken most-uncertain
 * first (ties: lower index). Deterministic; each candidate is selected at most once.
 * @param candidates - items with predicted class probabilities.
 * @param k - batch size.
 * @param options - see {@link ClassBalancedSelectOptions}.
 * @returns the selected candidates in pick order.
 */
export function classBalancedSelect<T extends { probs: ClassProbabilities }>(
  candidates: readonly T[],
  k: number,
  options: ClassBalancedSelectOptions = {},
): T[] {
  if (!(Number.isInteger(k) && k >= 0)) throw new RangeError(`classBalancedSelect: k must be a non-negative integer, got ${k}`);
  const measure = options.uncertainty ?? 'entropy';
  const byClass = new Map<string, { i: number; u: number }[]>();
  const counts: Record<string, number> = { ...(options.predictedClassCounts ?? {}) };
  const fromCandidates = options.predictedClassCounts === undefined;
  candidates.forEach((c, i) => {
    const cls = argmaxClass(c.probs);
    let q = byClass.get(cls);
    if (!q) byClass.set(cls, (q = []));
    q.push({ i, u: uncertainty(measure, c.probs) });
    if (fromCandidates) counts[cls] = (counts[cls] ?? 0) + 1;
    else if (counts[cls] === undefined) counts[cls] = 0;
  });
  for (const q of byClass.values()) q.sort((a, b) => b.u - a.u || a.i - b.i);
  const heads = new Map<string, number>([...byClass.keys()].map((c) => [c, 0]));
  const out: T[] = [];
  const m = Math.min(k, candidates.length);
  while (out.length < m) {
    const w = classBalanceWeights(counts, options);
    let bestCls: string | undefined;
    let bestScore = -Infinity;
    let bestIdx = Infinity;
    for (const [cls, q] of byClass) {
      const h = heads.get(cls) as number;
      if (h >= q.length) continue;
      const s = q[h].u * w[cls];
      if (s > bestScore || (s === bestScore && q[h].i < bestIdx)) {
        bestScore = s;
        bestCls = cls;
        bestIdx = q[h].i;
      }
    }
    const cls = bestCls as string;
    heads.set(cls, (heads.get(cls) as number) + 1);
    counts[cls] += 1;
    out.push(candidates[bestIdx]);
  }
  return out;
}
