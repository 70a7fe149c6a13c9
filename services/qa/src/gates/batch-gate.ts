import { fleissKappa } from '@labelloop/qa-metrics';

/** The figures a batch is judged on, and the verdict. */
export interface BatchVerdict {
  passed: boolean;
  /** Fleiss' kappa over the batch's overlap items; null when it cannot be computed (see `reason`). */
  kappa: number | null;
  /** Overlap items the kappa was computed over. */
  kappaItems: number;
  goldAnswers: number;
  goldAccuracy: number | null;
  /** Why it failed, or what could not be checked; empty when every check ran and passed. */
  reason: string;
}

/** Thresholds of the batch gate. */
export interface BatchThresholds {
  minBatchKappa: number;
  minBatchGoldAccuracy: number;
}

/**
 * The batch gate: Fleiss' kappa over the answers of the batch's items and the accuracy of the
 * gold answers received while the batch was open, each against its threshold.
 *
 * Fleiss' kappa needs the same number of raters per item: it runs over the items with the most
 * common answer count of two or more (an overlap of k gives every item k answers, so normally
 * all of them). It is not defined when the batch has no overlap item, or when every answer
 * is the same class (chance agreement is 1); the kappa check is then skipped and the reason
 * says so. The gold check is skipped when no gold answer arrived during the batch.
 *
 * Items of spans, boxes, multi-label classes and free text (`structuredAgreement`: each such
 * overlap item's agreement, mean pairwise F1 or the free-text match share) have no categories
 * for a kappa: their mean agreement is checked against the same minimum instead.
 */
export function judgeBatch(
  itemAnswers: ReadonlyArray<ReadonlyArray<string>>,
  gold: { answers: number; correct: number },
  t: BatchThresholds,
  structuredAgreement: readonly number[] = [],
): BatchVerdict {
  const failures: string[] = [];
  const notes: string[] = [];
  if (structuredAgreement.length > 0) {
    const m = structuredAgreement.reduce((a, b) => a + b, 0) / structuredAgreement.length;
    if (m < t.minBatchKappa)
      failures.push(`mean agreement ${m.toFixed(3)} over ${structuredAgreement.length} span, box or text items is below ${t.minBatchKappa}`);
  }
  const sizes = new Map<number, number>();
  for (const a of itemAnswers) if (a.length >= 2) sizes.set(a.length, (sizes.get(a.length) ?? 0) + 1);
  const n = [...sizes].sort((x, y) => y[1] - x[1] || y[0] - x[0])[0]?.[0];
  const rows = n === undefined ? [] : itemAnswers.filter((a) => a.length === n);
  let kappa: number | null = null;
  if (rows.length === 0) {
    if (structuredAgreement.length === 0) notes.push('kappa not checked: no overlap item in the batch');
  } else {
    const classes = [...new Set(rows.flat())].sort();
    const k = fleissKappa(rows.map((r) => classes.map((c) => r.filter((x) => x === c).length)));
    if (Number.isNaN(k)) notes.push(`kappa not checked: all ${rows.length} overlap items got one class only`);
    else {
      kappa = k;
      if (k < t.minBatchKappa) failures.push(`Fleiss' kappa ${k.toFixed(3)} over ${rows.length} items is below ${t.minBatchKappa}`);
    }
  }
  let goldAccuracy: number | null = null;
  if (gold.answers === 0) {
    if (t.minBatchGoldAccuracy > 0) notes.push('gold accuracy not checked: no gold answer during the batch');
  } else {
    goldAccuracy = gold.correct / gold.answers;
    if (goldAccuracy < t.minBatchGoldAccuracy)
      failures.push(`gold accuracy ${goldAccuracy.toFixed(3)} over ${gold.answers} gold answers is below ${t.minBatchGoldAccuracy}`);
  }
  return { passed: failures.length === 0, kappa, kappaItems: rows.length, goldAnswers: gold.answers, goldAccuracy, reason: [...failures, ...notes].join('; ') };
}

/**
 * The answers of each held item, in the items' order (an item without answers gets an empty
 * list; answers of items not held are dropped); pure. This is what `judgeBatch` is given.
 */
export function answersByItem(items: readonly { item_id: string }[], answers: readonly { item_id: string; label_key: string }[]): string[][] {
  const byItem = new Map<string, string[]>(items.map((i) => [i.item_id, []]));
  for (const a of answers) byItem.get(a.item_id)?.push(a.label_key);
  return [...byItem.values()];
}
