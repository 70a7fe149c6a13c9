/** What the approval gates need to know about a version. */
export interface GateInput {
  qa: { items: number; meanConfidence: number; meanAgreement: number };
  /** Items per (split, class). */
  counts: { split: string; label: string; count: number }[];
  /** Groups found in more than one split. */
  leaks: { groupKey: string; splits: string[]; items: string[] }[];
}

/** Approval thresholds. */
export interface GatePolicy {
  minMeanConfidence: number;
  minMeanAgreement: number;
  minItemsPerClass: number;
  requiredClasses: string[];
}

/**
 * The approval gates of a version; returns the reasons it fails (empty: approved).
 *  - QA summary: mean consensus confidence and mean agreement at or above the thresholds;
 *  - coverage: every class present, and every required class, has at least
 *    `minItemsPerClass` items (over all splits);
 *  - leakage: no group (duplicate content / same source) has items in two splits.
 */
export function evaluateGates(input: GateInput, policy: GatePolicy): string[] {
  const reasons: string[] = [];
  if (input.qa.items === 0) reasons.push('empty version');
  if (input.qa.meanConfidence < policy.minMeanConfidence) {
    reasons.push(`mean confidence ${input.qa.meanConfidence.toFixed(4)} is below ${policy.minMeanConfidence}`);
  }
  if (input.qa.meanAgreement < policy.minMeanAgreement) {
    reasons.push(`mean agreement ${input.qa.meanAgreement.toFixed(4)} is below ${policy.minMeanAgreement}`);
  }
  const perClass = new Map<string, number>();
  for (const c of input.counts) perClass.set(c.label, (perClass.get(c.label) ?? 0) + c.count);
  for (const c of policy.requiredClasses) if (!perClass.has(c)) perClass.set(c, 0);
  for (const [label, n] of [...perClass].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (n < policy.minItemsPerClass) reasons.push(`class ${JSON.stringify(label)} has ${n} items, fewer than ${policy.minItemsPerClass}`);
  }
  for (const l of input.leaks) {
    reasons.push(`leakage: group ${l.groupKey} is in ${l.splits.join(' and ')} (items ${l.items.join(', ')})`);
  }
  return reasons;
}
