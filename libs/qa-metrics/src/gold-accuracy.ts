import type { Annotation } from './dawid-skene';
import type { Id, Label } from './labels';

/** Gold (known-correct) labels by item: a `Map`, or a plain object keyed by `String(item)`. */
export type GoldLabels = ReadonlyMap<Id, Label> | Readonly<Record<string, Label>>;

/** Options of {@link goldAccuracy}. */
export interface GoldAccuracyOptions {
  /** Normal quantile for the Wilson score interval. Default 1.959963984540054 (95 %). */
  z?: number;
}

/** Per-annotator result of {@link goldAccuracy}. */
export interface GoldAccuracy {
  annotator: Id;
  /** Answers on gold items that match the gold label. */
  correct: number;
  /** Answers on gold items. */
  total: number;
  /** `correct / total`, or `null` when the annotator answered no gold item. */
  accuracy: number | null;
  /**
   * Wilson score interval for the accuracy (as statsmodels'
   * `proportion_confint(correct, total, method='wilson')`), or `null` when `total` is 0.
   */
  interval: [number, number] | null;
}

function lookup(gold: GoldLabels, item: Id): Label | undefined {
  if (gold instanceof Map) return (gold as ReadonlyMap<Id, Label>).get(item);
  const rec = gold as Readonly<Record<string, Label>>;
  const key = String(item);
  return Object.prototype.hasOwnProperty.call(rec, key) ? rec[key] : undefined;
}

/**
 * Accuracy of each annotator on gold (honeypot) items.
 *
 * Answers on items without a gold label are ignored; every annotator who appears in `answers`
 * is reported (in order of first appearance), with `accuracy: null` if none of their answers
 * hit a gold item.
 *
 * @param answers - the annotators' answers
 * @param gold - the known-correct label of each gold item
 * @param options - quantile of the Wilson interval
 * @returns one entry per annotator
 */
export function goldAccuracy(answers: ReadonlyArray<Annotation>, gold: GoldLabels, options: GoldAccuracyOptions = {}): GoldAccuracy[] {
  const z = options.z ?? 1.959963984540054;
  if (!(z > 0) || !Number.isFinite(z)) throw new RangeError('goldAccuracy: z must be a positive finite number');
  const tally = new Map<Id, { correct: number; total: number }>();
  for (const a of answers) {
    let t = tally.get(a.annotator);
    if (!t) {
      t = { correct: 0, total: 0 };
      tally.set(a.annotator, t);
    }
    const g = lookup(gold, a.item);
    if (g === undefined) continue;
    t.total++;
    if (g === a.label) t.correct++;
  }
  // A Map iterates in insertion order: annotators in order of first appearance.
  return [...tally].map(([annotator, { correct, total }]) => {
    return {
      annotator,
      correct,
      total,
      accuracy: total === 0 ? null : correct / total,
      interval: total === 0 ? null : wilsonInterval(correct, total, z),
    };
  });
}

/**
 * Wilson score confidence interval for a binomial proportion.
 *
 * @param successes - number of successes
 * @param n - number of trials (> 0)
 * @param z - normal quantile (1.959963984540054 for 95 %)
 * @returns `[lower, upper]`, clipped to [0, 1]
 */
export function wilsonInterval(successes: number, n: number, z = 1.959963984540054): [number, number] {
  if (!(n > 0)) throw new RangeError('wilsonInterval: n must be > 0');
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}
