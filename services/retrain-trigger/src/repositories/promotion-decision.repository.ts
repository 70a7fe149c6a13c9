import { Queryable, queryRows } from '@labelloop/persistence';

/** A kept promotion decision. */
export interface PromotionDecisionRow {
  model_id: string;
  candidate_version: string;
  dataset_version_id: string;
  promoted: boolean;
  reasons: string[];
  candidate_metrics: Record<string, number>;
  champion_metrics: Record<string, number> | null;
  champion_version: string | null;
  decided_at: Date;
}

/** A decision to keep, with the event that asked for it. */
export interface NewPromotionDecision {
  modelId: string;
  candidateVersion: string;
  datasetVersionId: string;
  promoted: boolean;
  reasons: string[];
  candidateMetrics: Record<string, number>;
  championMetrics: Record<string, number> | null;
  championVersion: string | null;
  eventId: string;
}

/** `promotion_decision`: every promote/reject decision, one per ModelEvaluated event. */
export const promotionDecisions = {
  /** Keeps the decision; false when this event was decided before (redelivery). */
  async record(q: Queryable, d: NewPromotionDecision): Promise<boolean> {
    const inserted = await queryRows<{ id: string }>(
      q,
      `INSERT INTO promotion_decision (model_id, candidate_version, dataset_version_id, promoted, reasons, candidate_metrics, champion_metrics, champion_version, event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_id) DO NOTHING RETURNING id`,
      [d.modelId, d.candidateVersion, d.datasetVersionId, d.promoted, d.reasons, d.candidateMetrics, d.championMetrics, d.championVersion, d.eventId],
    );
    return inserted.length > 0;
  },

  /** Every decision on a model, oldest first. */
  async ofModel(q: Queryable, modelId: string): Promise<PromotionDecisionRow[]> {
    return queryRows<PromotionDecisionRow>(q, 'SELECT * FROM promotion_decision WHERE model_id = $1 ORDER BY id', [modelId]);
  },
};
