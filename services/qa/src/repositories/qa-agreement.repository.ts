import { EntityManager, queryRows } from '@labelloop/persistence';
import { bucketFor, RoundAgreement } from '../gates/agreement-history';

/** One bucket of a project's agreement history, as stored. */
export interface AgreementBucketRow {
  bucket_no: number;
  rounds: number;
  answers: number;
  agreeing: number;
  sent_back: number;
  first_at: Date;
  last_at: Date;
}

/** `qa_agreement_bucket`: each project's agreement over consecutive completed rounds, bounded. */
export const qaAgreementBuckets = {
  /**
   * Adds a completed round to the project's newest bucket (or opens the next one, then deletes
   * the project's buckets beyond the newest `keep`). Callers hold the project's lock, so the
   * newest bucket cannot change between the read and the write.
   */
  async record(em: EntityManager, projectId: string, r: RoundAgreement, bucketRounds: number, keep: number): Promise<void> {
    const [newest] = await queryRows<{ bucket_no: number; rounds: number }>(
      em,
      'SELECT bucket_no, rounds FROM qa_agreement_bucket WHERE project_id = $1 ORDER BY bucket_no DESC LIMIT 1',
      [projectId],
    );
    const { bucketNo, opens } = bucketFor(newest, bucketRounds);
    const sentBack = r.sentBack ? 1 : 0;
    if (!opens) {
      await em.query(
        `UPDATE qa_agreement_bucket SET rounds = rounds + 1, answers = answers + $3, agreeing = agreeing + $4, sent_back = sent_back + $5, last_at = now()
         WHERE project_id = $1 AND bucket_no = $2`,
        [projectId, bucketNo, r.answers, r.agreeing, sentBack],
      );
      return;
    }
    await em.query(`INSERT INTO qa_agreement_bucket (project_id, bucket_no, rounds, answers, agreeing, sent_back) VALUES ($1, $2, 1, $3, $4, $5)`, [
      projectId,
      bucketNo,
      r.answers,
      r.agreeing,
      sentBack,
    ]);
    await em.query('DELETE FROM qa_agreement_bucket WHERE project_id = $1 AND bucket_no <= $2', [projectId, bucketNo - keep]);
  },

  /** The project's newest `limit` buckets, newest first. */
  async newest(em: EntityManager, projectId: string, limit: number): Promise<AgreementBucketRow[]> {
    return queryRows<AgreementBucketRow>(
      em,
      `SELECT bucket_no, rounds, answers, agreeing, sent_back, first_at, last_at FROM qa_agreement_bucket WHERE project_id = $1 ORDER BY bucket_no DESC LIMIT $2`,
      [projectId, limit],
    );
  },
};
