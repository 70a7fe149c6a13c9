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
  // log P(answers | true = label) − log P(answers | true = c) for one other class c, summed over
  // answers; all other classes are alike under the one-coin model except the ones answered.
  const others = new Map<Label, number>(); // class -> log-likelihood ratio accumulated against it
  let logOwn = 0;
  const contributions: { agree: boolean; answer: Label; p: number }[] = [];
  for (const a of answers) {
    const e = skill.get(a.annotator);
    const [lo, hi] = e && e.total > 0 ? wilsonInterval(Math.min(e.correct, e.total), e.total, z) : [0, 1];
    const agree = a.label === label;
    const p = Math.min(1 - 1e-6, Math.max(floor, agree ? lo : hi));
    contributions.push({ agree, answer: a.label, p });
    logOwn += Math.log(agree ? p : (1 - p) / (classes - 1));
  }
  // The likelihood of the answers under each other class: answered classes individually, and
  // the unanswered ones (all alike) as one term times their number.
  const answered = new Set(contributions.filter((c) => !c.agree).map((c) => c.answer));
  for (const c of answered) {
    let l = 0;
    for (const x of contributions) l += Math.log(x.answer === c ? x.p : (1 - x.p) / (classes - 1));
    others.set(c, l);
  }
  let logRest = 0;
  for (const x of contributions) logRest += Math.log((1 - x.p) / (classes - 1));
  const unanswered = classes - 1 - answered.size;
  const terms = [logOwn, ...others.values(), ...(unanswered > 0 ? [logRest + Math.log(unanswered)] : [])];
  const max = Math.max(...terms);
  const total = terms.reduce((s, t) => s + Math.exp(t - max), 0);
  return Math.exp(logOwn - max) / total;
}
