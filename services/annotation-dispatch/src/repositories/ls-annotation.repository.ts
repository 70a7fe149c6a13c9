import { Queryable, queryRows } from '@labelloop/persistence';

/** What became of a claimed Label Studio annotation, as `ls_annotation.outcome` stores it. */
export type LsAnnotationOutcome = 'submitted' | 'refused' | 'surplus' | 'cancelled';

/** `ls_annotation`: every Label Studio annotation seen, and what became of it. */
export const lsAnnotations = {
  /**
   * Claims the annotation (recorded as `submitted` until {@link lsAnnotations.record} says
   * otherwise); false when it was claimed before, by a webhook or a poll.
   */
  async claim(q: Queryable, lsAnnotationId: number, itemId: string, annotatorId: string, via: 'webhook' | 'poll'): Promise<boolean> {
    const claimed = await queryRows<unknown>(
      q,
      `INSERT INTO ls_annotation (ls_annotation_id, item_id, annotator_id, outcome, via) VALUES ($1, $2, $3, 'submitted', $4) ON CONFLICT DO NOTHING RETURNING 1`,
      [lsAnnotationId, itemId, annotatorId, via],
    );
    return claimed.length > 0;
  },

  /** Records the annotation's outcome, why, and the submission it made. */
  async record(q: Queryable, lsAnnotationId: number, outcome: LsAnnotationOutcome, detail: string | null, submissionId: string | null): Promise<void> {
    await q.query('UPDATE ls_annotation SET outcome = $2, detail = $3, submission_id = $4 WHERE ls_annotation_id = $1', [
      lsAnnotationId,
      outcome,
      detail,
      submissionId,
    ]);
  },
};
