/** One free-text answer of a round: its normalised key, the text as given, and whether a reviewer gave it. */
export interface TextAnswer {
  key: string;
  text: string;
  review: boolean;
}

/** What the free-text gate decided. */
export type TextDecision =
  | { outcome: 'wait' }
  /** Accept answer `index` of the round (its text as given). */
  | { outcome: 'accept'; index: number; confidence: number; agreement: number; method: 'text_match' | 'text_review' }
  /** No two answers agree: ask a reviewer to accept or edit `text` (the round's first answer). */
  | { outcome: 'review'; text: string; reason: string };

/**
 * The free-text gate. Free text rarely matches exactly, so an item is accepted when two of its
 * answers are equal after trimming, collapsing whitespace and case-folding (the most common
 * such text, the earliest on a tie; agreement = its share of the answers), or by a reviewer:
 * once the round's answers are in and no two agree, a reviewer is asked to accept or edit the
 * first answer (`review`), and the reviewer's answer is the accepted text (confidence 1;
 * agreement = the share of the other answers equal to it). While a review is requested
 * (`reviewRequested`) other answers wait for it.
 */
export function decideText(answers: readonly TextAnswer[], required: number, reviewRequested: boolean): TextDecision {
  const reviewed = answers.findIndex((a) => a.review);
  if (reviewed >= 0) {
    const others = answers.filter((a) => !a.review);
    const agreement = others.length === 0 ? 1 : others.filter((a) => a.key === answers[reviewed].key).length / others.length;
    return { outcome: 'accept', index: reviewed, confidence: 1, agreement, method: 'text_review' };
  }
  if (answers.length < required || reviewRequested) return { outcome: 'wait' };
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a.key, (counts.get(a.key) ?? 0) + 1);
  const count = (i: number) => counts.get(answers[i].key) ?? 0;
  let best = -1;
  for (let i = 0; i < answers.length; i++) if (count(i) >= 2 && (best < 0 || count(i) > count(best))) best = i;
  if (best >= 0) {
    const share = count(best) / answers.length;
    return { outcome: 'accept', index: best, confidence: share, agreement: share, method: 'text_match' };
  }
  const reason = answers.length === 1 ? 'a single free-text answer needs a reviewer' : `no two of ${answers.length} free-text answers agree`;
  return { outcome: 'review', text: answers[0].text, reason };
}
