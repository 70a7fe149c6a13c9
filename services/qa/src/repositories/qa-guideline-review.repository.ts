import { EntityManager, queryRows } from '@labelloop/persistence';

/** A guideline review to open, with the figures that raised it. */
export interface RaisedReview {
  labelClass: string;
  /** How many times the class has been raised, this one included. */
  raised: number;
  rate: number;
  baseline: number;
  items: number;
}

/** `qa_guideline_review`: one row per project and class, open while a review is requested. */
export const qaGuidelineReviews = {
  /** The class's review state, locked until the transaction ends; undefined when never raised. */
  async lock(em: EntityManager, projectId: string, labelClass: string): Promise<{ open: boolean; raised: number } | undefined> {
    const [prev] = await queryRows<{ open: boolean; raised: number }>(
      em,
      'SELECT open, raised FROM qa_guideline_review WHERE project_id = $1 AND label_class = $2 FOR UPDATE',
      [projectId, labelClass],
    );
    return prev;
  },

  /** Re-arms the class: its next high disagreement raises a new review. */
  async close(em: EntityManager, projectId: string, labelClass: string): Promise<void> {
    await em.query('UPDATE qa_guideline_review SET open = false, updated_at = now() WHERE project_id = $1 AND label_class = $2', [projectId, labelClass]);
  },

  async open(em: EntityManager, projectId: string, r: RaisedReview): Promise<void> {
    await em.query(
      `INSERT INTO qa_guideline_review (project_id, label_class, open, raised, disagreement_rate, baseline_rate, items) VALUES ($1, $2, true, $3, $4, $5, $6)
       ON CONFLICT (project_id, label_class) DO UPDATE SET open = true, raised = EXCLUDED.raised, disagreement_rate = EXCLUDED.disagreement_rate,
         baseline_rate = EXCLUDED.baseline_rate, items = EXCLUDED.items, updated_at = now()`,
      [projectId, r.labelClass, r.raised, r.rate, r.baseline, r.items],
    );
  },
};
