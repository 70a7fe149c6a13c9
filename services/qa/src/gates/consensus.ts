import { cautiousPosterior, dawidSkene, majorityVote, type Annotation, type SkillEvidence } from '@labelloop/qa-metrics';

/** The QA policy of a project. */
export interface QaPolicy {
  method: 'majority' | 'dawid_skene';
  /** Item gate: consensus confidence at least this. */
  minConfidence: number;
  /** Annotators below this accuracy (gold, or Dawid–Skene estimate) are paused. */
  annotatorFloor: number;
  /** Evidence needed before pausing: gold answers, or answers on overlap items. */
  minGoldForPause: number;
  minAnswersForPause: number;
}

/** Ends the reason of a rework only a reviewer can settle (a tie, a posterior nobody answered). */
export const TO_REVIEWER = ': escalated to a reviewer';

/** Outcome of the item gate. */
export type ItemDecision =
  { outcome: 'wait' } | { outcome: 'rework'; reason: string } | { outcome: 'accept'; label: string; confidence: number; agreement: number; method: string };

/** Per-annotator accuracy as estimated from the window (Dawid–Skene), for scorecards and pausing. */
export type EstimatedAccuracy = Map<string, { accuracy: number; count: number }>;

/**
 * The item gate. Waits for the overlap; a tied majority goes to a reviewer; otherwise the
 * consensus label and its confidence come from Dawid–Skene over the project's recent answers
 * (which weighs each annotator by their estimated confusion matrix, so a careless annotator's
 * vote counts for little) or from the majority share; below `minConfidence` the item is sent
 * back for review. A single answer (a reviewer's, or k = 1) is taken as it is, unless
 * `weighSingleAnswer` (adaptive overlap): then Dawid–Skene weighs it by its annotator's estimated
 * skill, so one answer of a careless annotator falls below the gate and asks for another; and
 * `cautious` (adaptive overlap while more answers may still be asked): the item must also clear
 * the gate with {@link cautiousConfidence}. At the maximum the plain Dawid–Skene confidence
 * decides, so a new project's first items, which nobody's record can vouch for yet, are decided
 * as without adaptive overlap instead of all going to a reviewer.
 */
export function decideItem(
  itemId: string,
  itemAnswers: string[],
  required: number,
  window: Annotation[],
  policy: QaPolicy,
  weighSingleAnswer = false,
  cautious = false,
): { decision: ItemDecision; estimated?: EstimatedAccuracy } {
  if (itemAnswers.length < required) return { decision: { outcome: 'wait' } };
  const vote = majorityVote(itemAnswers);
  if (policy.method === 'majority' || (required < 2 && !weighSingleAnswer)) {
    if (vote.tie || vote.label === null) return { decision: { outcome: 'rework', reason: `tie between ${vote.leaders.join(', ')}${TO_REVIEWER}` } };
    if (vote.share < policy.minConfidence)
      return { decision: { outcome: 'rework', reason: `agreement ${vote.share.toFixed(2)} below ${policy.minConfidence}` } };
    return { decision: { outcome: 'accept', label: String(vote.label), confidence: vote.share, agreement: vote.share, method: 'majority' } };
  }
  const ds = dawidSkene(window, { maxIter: 50, tol: 1e-6 });
  const item = ds.items.find((i) => i.item === itemId);
  if (!item) throw new Error(`Dawid–Skene left out item ${itemId}, whose answers are in its window`);
  const estimated: EstimatedAccuracy = new Map(ds.annotators.map((a) => [String(a.annotator), { accuracy: a.accuracy, count: a.count }]));
  const label = String(item.label);
  // The posterior can favour a label nobody gave in this round (answers of an earlier round in
  // the window, or annotators estimated worse than chance). Accepting it would put a label on
  // the item that no answer of the round stands behind: a reviewer decides instead.
  if (!itemAnswers.includes(label)) {
    return { decision: { outcome: 'rework', reason: `Dawid–Skene favours ${label}, which no answer of this round gave${TO_REVIEWER}` }, estimated };
  }
  const agreement = itemAnswers.filter((a) => a === label).length / itemAnswers.length;
  if (item.confidence < policy.minConfidence) {
    return { decision: { outcome: 'rework', reason: `consensus confidence ${item.confidence.toFixed(2)} below ${policy.minConfidence}` }, estimated };
  }
  if (!cautious) return { decision: { outcome: 'accept', label, confidence: item.confidence, agreement, method: 'dawid_skene' }, estimated };
  // Adaptive overlap accepts items on few answers, so while it can still ask for more it must not
  // trust an estimate the item's own kind inflated: see cautiousConfidence.
  const careful = cautiousConfidence(window, itemId, label, ds.classes.length);
  if (careful < policy.minConfidence) {
    return {
      decision: { outcome: 'rework', reason: `cautious confidence ${careful.toFixed(3)} below ${policy.minConfidence} (skills from shared items)` },
      estimated,
    };
  }
  return { decision: { outcome: 'accept', label, confidence: careful, agreement, method: 'dawid_skene' }, estimated };
}

/** Standard errors below (or above) an annotator's estimated accuracy the cautious gate reads it. */
export const SKILL_Z = 1;

/**
 * The item's confidence for adaptive overlap: the one-coin posterior of `label` from this
 * round's answers, each annotator's accuracy read at the pessimistic end of its Wilson interval
 * (`cautiousPosterior`), with the accuracies estimated by Dawid–Skene on the window's items that
 * two or more annotators answered, this item left out. On an item one annotator answered alone
 * the consensus is their own answer: counted, it makes everyone who often answers alone look
 * flawless (seen in the main job: 99.8 % estimated for a 97.7 % annotator, and single answers
 * accepted at a 0.99 gate). Someone no other annotator has checked yet moves nothing.
 */
export function cautiousConfidence(window: readonly Annotation[], itemId: string, label: string, classes: number): number {
  const perItem = new Map<string | number, number>();
  for (const a of window) if (a.item !== itemId) perItem.set(a.item, (perItem.get(a.item) ?? 0) + 1);
  const shared = window.filter((a) => a.item !== itemId && (perItem.get(a.item) ?? 0) >= 2);
  const skill = new Map<string | number, SkillEvidence>();
  if (shared.length > 0) {
    for (const a of dawidSkene(shared, { maxIter: 50, tol: 1e-6 }).annotators) skill.set(a.annotator, { correct: a.accuracy * a.count, total: a.count });
  }
  const round = window.filter((a) => a.item === itemId).map((a) => ({ annotator: a.annotator, label: String(a.label) }));
  return cautiousPosterior(round, label, Math.max(2, classes), skill, SKILL_Z);
}

/**
 * The window an item's decision is estimated from: the project's recent answers on other items
 * (to estimate each annotator), and this item's answers of its current round only. Answers of
 * rounds that were sent back are not evidence for the new round.
 */
export function roundWindow(window: readonly Annotation[], itemId: string, round: readonly Annotation[]): Annotation[] {
  return [...window.filter((a) => a.item !== itemId), ...round];
}
