/**
 * The training recipe and the evaluation the promotion rules read.
 */
import { TextClassifier, type SparseVector } from '@labelloop/text-model';

/** A featurised, labelled example. */
export interface Example {
  x: SparseVector;
  label: string;
}

/** Metrics of one model on one evaluation set, in the shape of ModelEvaluated. */
export interface Evaluation {
  /** `accuracy`, `f1_spam`. */
  metrics: Record<string, number>;
  /** Per class (`ham`, `spam`: accuracy on the items of that class) and named slices. */
  slices: Record<string, Record<string, number>>;
}

/** Training settings (the same recipe as the initial model, plus the weight of new labels). */
export interface Recipe {
  seed: number;
  epochs: number;
  /** Weight of each production label relative to an initial training example. */
  newLabelWeight: number;
}

/**
 * A candidate: retrained from scratch on the initial data plus the version's training labels
 * (weighted, so a few hundred fresh labels can move a model trained on thousands of old ones).
 */
export function trainCandidate(initial: readonly Example[], labelled: readonly Example[], r: Recipe): TextClassifier {
  return TextClassifier.trainFeatures([...initial, ...labelled.map((e) => ({ ...e, weight: r.newLabelWeight }))], {
    classes: ['ham', 'spam'],
    epochs: r.epochs,
    seed: r.seed,
  });
}

/** Accuracy, F1 of the spam class and per-class accuracy of `model` on `docs` (non-empty). */
export function evaluate(model: TextClassifier, docs: readonly Example[]): Evaluation {
  let ok = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perClass = new Map<string, { ok: number; n: number }>();
  for (const d of docs) {
    const y = model.predictFeatures(d.x);
    const hit = y === d.label;
    if (hit) ok++;
    if (y === 'spam' && d.label === 'spam') tp++;
    else if (y === 'spam') fp++;
    else if (d.label === 'spam') fn++;
    const c = perClass.get(d.label) ?? { ok: 0, n: 0 };
    c.n++;
    if (hit) c.ok++;
    perClass.set(d.label, c);
  }
  const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  const slices: Evaluation['slices'] = {};
  for (const [cls, c] of perClass) slices[cls] = { accuracy: c.ok / c.n, items: c.n };
  return { metrics: { accuracy: ok / docs.length, f1_spam: f1 }, slices };
}

/** Accuracy of `model` on `docs`. */
export function accuracy(model: TextClassifier, docs: readonly Example[]): number {
  let ok = 0;
  for (const d of docs) if (model.predictFeatures(d.x) === d.label) ok++;
  return docs.length ? ok / docs.length : NaN;
}
