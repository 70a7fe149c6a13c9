import { Inject, Injectable } from '@nestjs/common';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Counter } from 'prom-client';
import { AnnotationRequested, AnnotationRequestedSchema, PredictionEvent, Topics, Trigger } from '@labelloop/contracts';
import type { Outbox } from '@labelloop/messaging';
import type { Metrics } from '@labelloop/observability';
import type { EntityManager } from '@labelloop/persistence';
import { METRICS, OUTBOX } from '@labelloop/runtime';
import type { ResolvedPolicy } from '../policy/policy';
import { samplingDecisions } from './sampling-decision.repository';
import { imageSizeOf } from './image-size';
import { itemIdOf } from './select';

/** One item chosen for annotation, and why. */
export interface Selection {
  event: PredictionEvent;
  trigger: Trigger;
  strategy: string;
  score: number;
  audit: boolean;
  traceparent?: string;
}

/**
 * Writes decisions and their AnnotationRequested events in the caller's transaction. The
 * decision row is unique per item and per content hash, so an item is requested at most once
 * whatever trigger picks it again.
 */
@Injectable()
export class RequestWriter {
  private readonly requests: Counter<'trigger'>;

  constructor(
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(METRICS) metrics: Metrics,
  ) {
    this.requests = new Counter({
      name: 'labelloop_sampling_requests_total',
      help: 'Annotation requests by trigger',
      labelNames: ['trigger'],
      registers: [metrics.registry],
    });
  }

  /** Content hashes (of these) that were already requested. */
  async alreadyRequested(em: EntityManager, hashes: string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const rows = await samplingDecisions.requestedHashes(em, hashes);
    return new Set(rows.map((r) => r.content_hash));
  }

  async write(em: EntityManager, selections: Selection[], policy: ResolvedPolicy): Promise<AnnotationRequested[]> {
    if (selections.length === 0) return [];
    const now = timestampFromDate(new Date());
    const reqs = selections.map((s) => {
      const e = s.event;
      return create(AnnotationRequestedSchema, {
        itemId: itemIdOf(e.contentHash),
        inputUri: e.inputUri,
        contentHash: e.contentHash,
        modelId: e.modelId,
        modelVersion: e.modelVersion,
        trigger: s.trigger,
        strategy: s.strategy,
        score: s.score,
        priority: policy.priority + (s.audit ? 0 : Math.round(s.score * 100)) + (s.trigger === Trigger.NEW_CLASS || s.trigger === Trigger.DRIFT ? 50 : 0),
        preLabel: { predictedLabel: e.predictedLabel, classProbabilities: e.classProbabilities, confidence: e.confidence },
        auditSample: s.audit,
        sourceEventId: e.eventId,
        predictedAt: e.timestamp,
        requestedAt: now,
        projectId: e.metadata.project_id || policy.projectId,
        features: { numeric: e.numericFeatures, categorical: e.categoricalFeatures, embedding: e.embedding },
        ...imageSizeOf(e.metadata),
      });
    });
    const inserted = await samplingDecisions.insertNew(em, reqs);
    const fresh = new Set(inserted.map((r) => r.item_id));
    const emitted = reqs.filter((r) => fresh.has(r.itemId));
    await this.outbox.emitMany(
      em,
      emitted.map((r) => ({
        topic: Topics.annotationRequested,
        key: r.itemId,
        schema: AnnotationRequestedSchema,
        message: r,
        id: `annotation-requested:${r.itemId}`,
        traceparent: selections[reqs.indexOf(r)].traceparent,
      })),
    );
    for (const r of emitted) this.requests.inc({ trigger: Trigger[r.trigger] });
    return emitted;
  }
}
