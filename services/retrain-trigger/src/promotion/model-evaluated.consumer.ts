import { Controller, Inject } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ModelEvaluated, ModelEvaluatedSchema, ModelPromotedSchema, PromotionRejectedSchema, SliceMetrics, Topics } from '@labelloop/contracts';
import type { ConsumedEvent, Outbox } from '@labelloop/messaging';
import { appendAudit, EntityManager } from '@labelloop/persistence';
import { OUTBOX, Consumes } from '@labelloop/runtime';
import { PolicyRepository } from '../runs/policy.repository';
import { decidePromotion, Evaluation } from './decide';

const slicesOf = (s: Record<string, SliceMetrics>) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.metrics]));

/**
 * Compares each evaluated candidate with the current champion and promotes or rejects it.
 * The champion's metrics on the same split come with the evaluation when the job measured
 * them; otherwise the champion's stored metrics are used (and the reasons say so). Every
 * decision is kept, and the decision, the champion change and the event commit together.
 */
@Controller()
export class ModelEvaluatedConsumer {
  constructor(
    private readonly policies: PolicyRepository,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  validate(e: ModelEvaluated): string | undefined {
    if (!e.modelId) return 'model_id is required';
    if (!e.candidateVersion) return 'candidate_version is required';
    if (!e.datasetVersionId) return 'dataset_version_id is required';
    for (const [k, v] of Object.entries(e.metrics)) if (!Number.isFinite(v)) return `metrics.${k} is not finite`;
    return undefined;
  }

  @Consumes(Topics.modelEvaluated, ModelEvaluatedSchema)
  async handle(events: ConsumedEvent<ModelEvaluated>[], em: EntityManager): Promise<void> {
    for (const ev of events) {
      const e = ev.message;
      const { resolved: policy } = await this.policies.get(em, e.modelId);
      const [champ]: { model_version: string; metrics: Record<string, number>; slices: Evaluation['slices'] }[] = await em.query(
        'SELECT model_version, metrics, slices FROM model_champion WHERE model_id = $1 FOR UPDATE',
        [e.modelId],
      );
      const sameSplit = Object.keys(e.championMetrics).length > 0;
      const champion: Evaluation | undefined = sameSplit
        ? { metrics: e.championMetrics, slices: slicesOf(e.championSlices) }
        : champ
          ? { metrics: champ.metrics, slices: champ.slices }
          : undefined;
      const decision = decidePromotion({ metrics: e.metrics, slices: slicesOf(e.slices) }, champion, policy);
      const reasons = champion && !sameSplit ? [...decision.reasons, 'champion metrics are the stored ones (the job did not evaluate the champion on this split)'] : decision.reasons;
      const inserted: unknown[] = await em.query(
        `INSERT INTO promotion_decision (model_id, candidate_version, dataset_version_id, promoted, reasons, candidate_metrics, champion_metrics, champion_version, event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_id) DO NOTHING RETURNING id`,
        [e.modelId, e.candidateVersion, e.datasetVersionId, decision.promote, reasons, e.metrics, champion?.metrics ?? null, champ?.model_version ?? e.championVersion ?? null, ev.id],
      );
      if (inserted.length === 0) continue;
      if (e.runId) {
        await em.query(`UPDATE retrain_run SET state = 'succeeded', finished_at = now(), updated_at = now() WHERE run_id = $1 AND state IN ('requested', 'running')`, [e.runId]);
      }
      await appendAudit(em, {
        actor: 'retrain-trigger',
        action: decision.promote ? 'model.promoted' : 'model.promotion_rejected',
        subject: `${e.modelId}@${e.candidateVersion}`,
        detail: { datasetVersionId: e.datasetVersionId, reasons },
      });
      const now = timestampFromDate(new Date());
      if (decision.promote) {
        await em.query(
          `INSERT INTO model_champion (model_id, model_version, stage, dataset_version_id, metrics, slices) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (model_id) DO UPDATE SET model_version = EXCLUDED.model_version, stage = EXCLUDED.stage, dataset_version_id = EXCLUDED.dataset_version_id,
             metrics = EXCLUDED.metrics, slices = EXCLUDED.slices, promoted_at = now()`,
          [e.modelId, e.candidateVersion, policy.stage, e.datasetVersionId, e.metrics, slicesOf(e.slices)],
        );
        await this.outbox.emit(em, {
          topic: Topics.modelPromoted,
          key: e.modelId,
          schema: ModelPromotedSchema,
          id: `model-promoted:${ev.id}`,
          traceparent: ev.traceparent,
          message: { modelId: e.modelId, modelVersion: e.candidateVersion, stage: policy.stage, datasetVersionId: e.datasetVersionId, previousVersion: champ?.model_version ?? '', promotedAt: now },
        });
      } else {
        await this.outbox.emit(em, {
          topic: Topics.promotionRejected,
          key: e.modelId,
          schema: PromotionRejectedSchema,
          id: `promotion-rejected:${ev.id}`,
          traceparent: ev.traceparent,
          message: { modelId: e.modelId, candidateVersion: e.candidateVersion, datasetVersionId: e.datasetVersionId, reasons, rejectedAt: now },
        });
      }
    }
  }
}
