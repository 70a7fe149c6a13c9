import { assertValidLabel, compareLabels, type Label } from './labels';

/** Result of {@link majorityVote}. */
export interface MajorityVoteResult {
  /** The most frequent label, or `null` when the top count is shared (tie) or there are no votes. */
  label: Label | null;
  /** `true` when two or more labels share the top count. */
  tie: boolean;
  /** Top count divided by the number of (non-null) votes; 0 when there are no votes. */
  share: number;
  /** The labels with the top count, sorted (one element unless `tie`; empty without votes). */
  leaders: Label[];
}

/**
 * Plurality vote over one item's labels.
 *
 * @param labels - the labels given to one item; `null`/`undefined` (no answer) are ignored
 * @returns the winning label (or `null` on a tie), whether there was a tie, and the winner's share
 */
export function majorityVote(labels: ReadonlyArray<Label | null | undefined>): MajorityVoteResult {
  const counts = new Map<Label, number>();
  let total = 0;
  for (const l of labels) {
    if (l === null || l === undefined) continue;
    assertValidLabel(l, 'majorityVote');
    counts.set(l, (counts.get(l) ?? 0) + 1);
    total++;
  }
  if (total === 0) return { label: null, tie: false, share: 0, leaders: [] };
  let top = 0;
  for (const c of counts.values()) top = Math.max(top, c);
  const leaders = [...counts.entries()]
    .filter(([, c]) => c === top)
    .map(([l]) => l)
    .sort(compareLabels);
  const tie = leaders.length > 1;
  return { label: tie ? null : leaders[0], tie, share: top / total, leaders };
}
