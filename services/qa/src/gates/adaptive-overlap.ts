import { TO_REVIEWER, type ItemDecision } from './consensus';

/** Ask for one more answer on an item whose answers so far leave it below the gate. */
export interface MoreAnswers {
  outcome: 'more_answers';
  /** Answers QA waits for now: one more than it has. */
  target: number;
  /** Why the answers so far were not enough (the item gate's reason). */
  reason: string;
}

/** The item gate's decision, or, with adaptive overlap, a request for one more answer. */
export type OverlapStep = ItemDecision | MoreAnswers;

/**
 * Adaptive overlap: an item the item gate would send back for want of confidence (consensus
 * below the gate, a tie, or a posterior favouring a label no answer gave) gets one more answer
 * instead, while it has fewer than `maxAnswers`. Every rework reason of the item gate is such a
 * case: a reviewer is needed only when more answers cannot settle the item. `maxAnswers` 0 turns
 * it off (the fixed overlap decides); an accepted item, or one still waiting, is left as it is.
 */
export function nextOverlapStep(decision: ItemDecision, answers: number, maxAnswers: number): OverlapStep {
  if (decision.outcome !== 'rework' || answers >= maxAnswers) return decision;
  const reason = decision.reason.endsWith(TO_REVIEWER) ? decision.reason.slice(0, -TO_REVIEWER.length) : decision.reason;
  return { outcome: 'more_answers', target: answers + 1, reason };
}
