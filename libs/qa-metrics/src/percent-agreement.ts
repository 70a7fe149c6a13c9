import { assertValidLabel, type Label } from './labels';

/**
 * Observed pairwise percent agreement for any number of raters, with missing ratings.
 *
 * For each item (row) with `n ≥ 2` non-null ratings, the agreement is the share of ordered
 * rater pairs that gave the same label, `Σ_k n_k (n_k − 1) / (n (n − 1))`; the result is the
 * unweighted mean over those items. Items with fewer than two ratings are ignored. With
 * complete data this equals Fleiss' `P̄` (the observed agreement of Fleiss' kappa), and with
 * two raters it is the plain proportion of items on which they agree.
 *
 * @param ratings - items × raters matrix; `null` (or `undefined`) marks a missing rating
 * @returns agreement in [0, 1], or `NaN` when no item has two or more ratings
 */
export function percentAgreement(ratings: ReadonlyArray<ReadonlyArray<Label | null | undefined>>): number {
  let sum = 0;
  let used = 0;
  for (const row of ratings) {
    const counts = new Map<Label, number>();
    let n = 0;
    for (const v of row) {
      if (v === null || v === undefined) continue;
      assertValidLabel(v, 'percentAgreement');
      counts.set(v, (counts.get(v) ?? 0) + 1);
      n++;
    }
    if (n < 2) continue;
    let agreeingPairs = 0;
    for (const c of counts.values()) agreeingPairs += c * (c - 1);
    sum += agreeingPairs / (n * (n - 1));
    used++;
  }
  return used === 0 ? Number.NaN : sum / used;
}
