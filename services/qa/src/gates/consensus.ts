import { dawidSkene, majorityVote, type Annotation } from '@labelloop/qa-metrics';

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
 * skill, so one answer of a careless annotator falls below the gate and asks for another.
 */
export function decideItem(
  itemId: string,
  itemAnswers: string[],
  required: number,
  window: Annotation[],
  policy: QaPolicy,
  weighSingleAnswer = false,
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
  return { decision: { outcome: 'accept', label, confidence: item.confidence, agreement, method: 'dawid_skene' }, estimated };
}

/**
 * The window an item's decision is estimated from: the project's recent answers on other items
 * (to estimate each annotator), and this item's answers of its current round only. Answers of
 * rounds that were sent back are not evidence for the new round.
 */
export function roundWindow(window: readonly Annotation[], itemId: string, round: readonly Annotation[]): Annotation[] {
  return [...window.filter((a) => a.item !== itemId), ...round];
}
