/** What one completed overlap round adds to its project's agreement history. */
export interface RoundAgreement {
  answers: number;
  /** Answers equal to the round's most common label (one of the tied labels, on a tie). */
  agreeing: number;
  sentBack: boolean;
}

/**
 * The agreement figures of a completed round, or undefined for a round that has no overlap
 * (fewer than two answers: agreement is not defined); pure. `agreeing` overrides the count of
 * answers equal to the most common one (spans and boxes: the answers agreeing with the consensus).
 */
export function roundAgreement(labels: readonly string[], sentBack: boolean, agreeing?: number): RoundAgreement | undefined {
  if (labels.length < 2) return undefined;
  if (agreeing !== undefined) return { answers: labels.length, agreeing, sentBack };
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return { answers: labels.length, agreeing: Math.max(...counts.values()), sentBack };
}

/**
 * Where a project's next round goes: into its newest bucket while that holds fewer than
 * `bucketRounds` rounds, otherwise into a new bucket numbered one higher; pure.
 */
export function bucketFor(newest: { bucket_no: number; rounds: number } | undefined, bucketRounds: number): { bucketNo: number; opens: boolean } {
  if (newest && newest.rounds < bucketRounds) return { bucketNo: newest.bucket_no, opens: false };
  return { bucketNo: (newest?.bucket_no ?? 0) + 1, opens: true };
}
