import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { GuidelineReviewRequestedSchema, Topics } from '@labelloop/contracts';
import type { Outbox } from '@labelloop/messaging';
import { appendAudit, EntityManager } from '@labelloop/persistence';
import { qaAnswers } from '../repositories/qa-answer.repository';
import { qaGuidelineReviews } from '../repositories/qa-guideline-review.repository';

/** When a class's disagreement counts as a guideline problem. */
export interface GuidelinePolicy {
  /** Completed overlap rounds (most recent) the rates are measured over. */
  window: number;
  /** Minimum rounds involving the class before it can raise a review. */
  minItems: number;
  /** The class's disagreement rate must reach this ... */
  threshold: number;
  /** ... and exceed the project's overall disagreement by at least this much. */
  margin: number;
}

/** Disagreement of one class against the whole project; pure. */
export interface ClassDisagreement {
  labelClass: string;
  /** Rounds in which at least one annotator chose the class. */
  items: number;
  /** 1 − the class's proportion of specific agreement. */
  rate: number;
  /** 1 − the project's overall pairwise agreement over the same rounds. */
  baseline: number;
}

/**
 * Per class, 1 − proportion of specific agreement (Uebersax; the per-category agreement behind
 * Fleiss' kappa): over the rounds, Σ n_j(n_j − 1) / Σ n_j(n − 1), where a round has n answers of
 * which n_j chose class j — of all the times an annotator chose j, how often did another
 * annotator of the same item choose it too. The baseline is the same over all classes,
 * 1 − Σ_j Σ n_j(n_j − 1) / Σ n(n − 1). Rounds with a single answer carry no agreement and are
 * skipped.
 */
export function classDisagreement(rounds: readonly { labels: readonly string[] }[]): ClassDisagreement[] {
  const agree = new Map<string, number>();
  const total = new Map<string, number>();
  const items = new Map<string, number>();
  let allAgree = 0;
  let allPairs = 0;
  for (const r of rounds) {
    const n = r.labels.length;
    if (n < 2) continue;
    const counts = new Map<string, number>();
    for (const l of r.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    for (const [c, nj] of counts) {
      agree.set(c, (agree.get(c) ?? 0) + nj * (nj - 1));
      total.set(c, (total.get(c) ?? 0) + nj * (n - 1));
      items.set(c, (items.get(c) ?? 0) + 1);
      allAgree += nj * (nj - 1);
    }
    allPairs += n * (n - 1);
  }
  const baseline = allPairs ? 1 - allAgree / allPairs : 0;
  return [...total]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([c, pairs]) => ({ labelClass: c, items: items.get(c) ?? 0, rate: 1 - (agree.get(c) ?? 0) / pairs, baseline }));
}

/** Whether a class's disagreement stands out enough to ask for a guideline review; pure. */
export const needsReview = (c: ClassDisagreement, p: GuidelinePolicy): boolean =>
  c.items >= p.minItems && c.rate >= p.threshold && c.rate - c.baseline >= p.margin;

/** What to do with a class's review after a measurement: nothing, re-arm it, or raise it (the nth time). */
export type ReviewAction = { kind: 'none' } | { kind: 'close' } | { kind: 'raise'; raised: number };

/**
 * The review step of one class; pure. A class that needs review raises a request unless one is
 * open; an open request is closed (re-armed) only once the class's rate falls back below the
 * threshold, so a class hovering around the margin does not raise again and again.
 */
export function reviewAction(c: ClassDisagreement, prev: { open: boolean; raised: number } | undefined, p: GuidelinePolicy): ReviewAction {
  if (!needsReview(c, p)) return prev?.open && c.rate < p.threshold ? { kind: 'close' } : { kind: 'none' };
  if (prev?.open) return { kind: 'none' };
  return { kind: 'raise', raised: (prev?.raised ?? 0) + 1 };
}

/**
 * After each decided round: measures the classes of the project over the recent rounds and
 * raises GuidelineReviewRequested once for a class whose disagreement stays high; the request
 * re-arms when the class's rate falls back below the threshold.
 */
export async function checkGuidelines(em: EntityManager, outbox: Outbox, projectId: string, p: GuidelinePolicy, traceparent?: string): Promise<void> {
  const rounds = await qaAnswers.completedRounds(em, projectId, p.window);
  for (const c of classDisagreement(rounds)) {
    const action = reviewAction(c, await qaGuidelineReviews.lock(em, projectId, c.labelClass), p);
    if (action.kind === 'close') await qaGuidelineReviews.close(em, projectId, c.labelClass);
    if (action.kind !== 'raise') continue;
    const { raised } = action;
    await qaGuidelineReviews.open(em, projectId, { labelClass: c.labelClass, raised, rate: c.rate, baseline: c.baseline, items: c.items });
    await appendAudit(em, { actor: 'qa', action: 'guideline.review_requested', subject: `${projectId}/${c.labelClass}`, detail: { ...c } });
    await outbox.emit(em, {
      topic: Topics.guidelineReviewRequested,
      key: projectId,
      schema: GuidelineReviewRequestedSchema,
      id: `guideline-review:${projectId}:${c.labelClass}:${raised}`,
      traceparent,
      message: { projectId, labelClass: c.labelClass, disagreementRate: c.rate, baselineRate: c.baseline, requestedAt: timestampFromDate(new Date()) },
    });
  }
}
