import { majorityVote } from '@labelloop/qa-metrics';

/** Outcome of the item-level gate. */
export type GateDecision =
  | { outcome: 'accept'; label: string; confidence: number; agreement: number }
  | { outcome: 'rework'; reason: string }
  | { outcome: 'wait' };

/**
 * The item gate: wait for the required number of answers, then accept the majority label when
 * its share reaches `minAgreement` and it is not tied; otherwise send the item back.
 */
export function decideItem(answers: string[], required: number, minAgreement: number): GateDecision {
  if (answers.length < required) return { outcome: 'wait' };
  const vote = majorityVote(answers);
  if (vote.tie || vote.label === null) return { outcome: 'rework', reason: `tie between ${vote.leaders.join(', ')}` };
  if (vote.share < minAgreement) return { outcome: 'rework', reason: `agreement ${vote.share.toFixed(2)} below ${minAgreement}` };
  return { outcome: 'accept', label: String(vote.label), confidence: vote.share, agreement: vote.share };
}
