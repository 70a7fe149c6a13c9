import { Queryable, queryRows } from '@labelloop/persistence';

/** What became of a claimed Label Studio annotation, as `ls_annotation.outcome` stores it. */
export type LsAnnotationOutcome = 'submitted' | 'refused' | 'surplus' | 'cancelled';

/** The version of a Label Studio annotation last applied, and the submission it made. */
export interface AppliedLsAnnotation {
  outcome: LsAnnotationOutcome;
  submission_id: string | null;
  applied_updated_at: Date | null;
  applied_result_hash: string | null;
}

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

  /** The annotation's record, locked until the transaction ends (an edit is applied by one delivery at a time). */
  async lockApplied(q: Queryable, lsAnnotationId: number): Promise<AppliedLsAnnotation | undefined> {
    const [row] = await queryRows<AppliedLsAnnotation>(
      q,
      'SELECT outcome, submission_id, applied_updated_at, applied_result_hash FROM ls_annotation WHERE ls_annotation_id = $1 FOR UPDATE',
      [lsAnnotationId],
    );
    return row;
  },

  /** Records the annotation version now applied (its updated_at and result hash) and, when it made one, its submission. */
  async markApplied(q: Queryable, lsAnnotationId: number, updatedAt: string | null, resultHash: string, submissionId?: string): Promise<void> {
    await q.query(
      `UPDATE ls_annotation SET applied_updated_at = $2::timestamptz, applied_result_hash = $3, submission_id = COALESCE($4, submission_id)
        WHERE ls_annotation_id = $1`,
      [lsAnnotationId, updatedAt, resultHash, submissionId ?? null],
    );
  },
};
