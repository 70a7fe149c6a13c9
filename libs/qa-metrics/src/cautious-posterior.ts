import { wilsonInterval } from './gold-accuracy';
import type { Id, Label } from './labels';

/** What is known of an annotator's accuracy: answers judged, and how many of them were right. */
export interface SkillEvidence {
  correct: number;
  total: number;
}

/**
 * The posterior probability of `label` under a one-coin model (an annotator of accuracy p gives
 * the true class with probability p and each other class with (1 − p)/(K − 1); uniform prior),
 * taking each annotator's accuracy at the end of its Wilson interval ({@link wilsonInterval}) least favourable to `label`:
 * the lower end when the answer agrees with it, the upper end when it does not. An annotator with
 * little evidence therefore moves the posterior little either way, and an item is never accepted
 * on the strength of an accuracy estimate its own answers inflated.
 *
 * `skill` should come from items other annotators also answered: on an item one annotator
 * answered alone, Dawid–Skene's consensus is that annotator's answer, so counting it would
 * confirm them by themselves. Accuracies are kept in (1/K, 1 − 1e-6]: an answer never counts
 * against the label it gives.
 */
export function cautiousPosterior(
  answers: ReadonlyArray<{ annotator: Id; label: Label }>,
  label: Label,
  classes: number,
  skill: ReadonlyMap<Id, SkillEvidence>,
  z: number,
): number {
  if (!(Number.isInteger(classes) && classes >= 2)) throw new RangeError(`classes must be an integer ≥ 2, got ${classes}`);
  const floor = 1 / classes + 1e-9;
  const judged = answers.map((a) => {
    const e = skill.get(a.annotator);
    const [lo, hi] = e && e.total > 0 ? wilsonInterval(Math.min(e.correct, e.total), e.total, z) : [0, 1];
    return { answer: a.label, p: Math.min(1 - 1e-6, Math.max(floor, a.label === label ? lo : hi)) };
  });
  // log P(answers | true class c) under the one-coin model; `undefined` stands for any class
  // nobody answered (all alike, so one term times their number).
  const logLikelihood = (c: Label | undefined) => judged.reduce((l, x) => l + Math.log(x.answer === c ? x.p : (1 - x.p) / (classes - 1)), 0);
  const logOwn = logLikelihood(label);
  const answered = new Set(judged.map((x) => x.answer).filter((a) => a !== label));
  const unanswered = classes - 1 - answered.size;
  const terms = [logOwn, ...[...answered].map(logLikelihood), ...(unanswered > 0 ? [logLikelihood(undefined) + Math.log(unanswered)] : [])];
  const max = Math.max(...terms);
  const total = terms.reduce((s, t) => s + Math.exp(t - max), 0);
  return Math.exp(logOwn - max) / total;
}
