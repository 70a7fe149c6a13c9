import { Controller, Inject } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ModelEvaluated, ModelEvaluatedSchema, ModelPromotedSchema, PromotionRejectedSchema, SliceMetrics, Topics } from '@labelloop/contracts';
import type { ConsumedEvent, Outbox } from '@labelloop/messaging';
import { appendAudit, EntityManager } from '@labelloop/persistence';
import { OUTBOX, Consumes } from '@labelloop/runtime';
import { modelChampions } from '../repositories/model-champion.repository';
import { promotionDecisions } from '../repositories/promotion-decision.repository';
import { retrainRuns } from '../repositories/retrain-run.repository';
import { PolicyRepository } from '../runs/policy.repository';
import { decideAgainstChampion } from './decide';

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
      const champ = await modelChampions.lock(em, e.modelId);
      const { promote, reasons, champion } = decideAgainstChampion(
        { metrics: e.metrics, slices: slicesOf(e.slices) },
        { metrics: e.championMetrics, slices: slicesOf(e.championSlices) },
        champ && { metrics: champ.metrics, slices: champ.slices },
        policy,
      );
      const recorded = await promotionDecisions.record(em, {
        modelId: e.modelId,
        candidateVersion: e.candidateVersion,
        datasetVersionId: e.datasetVersionId,
        promoted: promote,
        reasons,
        candidateMetrics: e.metrics,
        championMetrics: champion?.metrics ?? null,
        championVersion: champ?.model_version ?? e.championVersion ?? null,
        eventId: ev.id,
      });
      if (!recorded) continue;
      if (e.runId) await retrainRuns.markEvaluated(em, e.runId);
      await appendAudit(em, {
        actor: 'retrain-trigger',
        action: promote ? 'model.promoted' : 'model.promotion_rejected',
        subject: `${e.modelId}@${e.candidateVersion}`,
        detail: { datasetVersionId: e.datasetVersionId, reasons },
      });
      const now = timestampFromDate(new Date());
      if (promote) {
        await modelChampions.promote(em, {
          modelId: e.modelId,
          modelVersion: e.candidateVersion,
          stage: policy.stage,
          datasetVersionId: e.datasetVersionId,
          metrics: e.metrics,
          slices: slicesOf(e.slices),
        });
        await this.outbox.emit(em, {
          topic: Topics.modelPromoted,
          key: e.modelId,
          schema: ModelPromotedSchema,
          id: `model-promoted:${ev.id}`,
          traceparent: ev.traceparent,
          message: {
            modelId: e.modelId,
            modelVersion: e.candidateVersion,
            stage: policy.stage,
            datasetVersionId: e.datasetVersionId,
            previousVersion: champ?.model_version ?? '',
            promotedAt: now,
          },
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
