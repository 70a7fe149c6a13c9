import { Inject, Injectable } from '@nestjs/common';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AnnotationRequested,
  AnnotationRequestedSchema,
  PredictionEvent,
  PredictionEventSchema,
  Topics,
  Trigger,
  validatePredictionEvent,
} from '@labelloop/contracts';
import type { ConsumedEvent, EventHandler, Outbox } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, OUTBOX } from '@labelloop/runtime';
import type { SamplingConfig } from '../sampling.config';
import { itemIdOf, select } from './select';

/**
 * Turns predictions into annotation requests. Each item is requested at most once: the
 * decision row (unique item id and content hash) is inserted in the same transaction as the
 * outgoing AnnotationRequested, and only a newly inserted row emits.
 */
@Injectable()
export class PredictionConsumer implements EventHandler<typeof PredictionEventSchema> {
  readonly topic = Topics.predictionRecorded;
  readonly schema = PredictionEventSchema;

  constructor(
    @Inject(CONFIG) private readonly config: SamplingConfig,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  validate(e: PredictionEvent): string | undefined {
    return validatePredictionEvent(e);
  }

  async handle(events: ConsumedEvent<PredictionEvent>[], em: EntityManager): Promise<void> {
    const policy = { confidenceThreshold: this.config.SAMPLING_CONFIDENCE_THRESHOLD, auditRate: this.config.SAMPLING_AUDIT_RATE };
    const candidates = new Map<string, { ev: ConsumedEvent<PredictionEvent>; req: AnnotationRequested }>();
    for (const ev of events) {
      const e = ev.message;
      const s = select(e, policy);
      if (!s) continue;
      const itemId = itemIdOf(e.contentHash);
      if (candidates.has(itemId)) continue; // the same content twice in one batch
      const req = create(AnnotationRequestedSchema, {
        itemId,
        inputUri: e.inputUri,
        contentHash: e.contentHash,
        modelId: e.modelId,
        modelVersion: e.modelVersion,
        trigger: s.trigger,
        strategy: s.strategy,
        score: s.score,
        priority: s.priority,
        preLabel: { predictedLabel: e.predictedLabel, classProbabilities: e.classProbabilities, confidence: e.confidence },
        auditSample: s.audit,
        sourceEventId: e.eventId,
        predictedAt: e.timestamp,
        requestedAt: timestampFromDate(new Date()),
        projectId: e.metadata.project_id || this.config.SAMPLING_PROJECT_ID,
      });
      candidates.set(itemId, { ev, req });
    }
    if (candidates.size === 0) return;
    const rows = [...candidates.values()];
    const inserted: { item_id: string }[] = await em.query(
      `INSERT INTO sampling_decision (item_id, content_hash, model_id, model_version, trigger, strategy, score, audit_sample, source_event_id, request, decided_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::bool[], $9::text[], $10::bytea[], $11::timestamptz[])
       ON CONFLICT DO NOTHING RETURNING item_id`,
      [
        rows.map((r) => r.req.itemId),
        rows.map((r) => r.req.contentHash),
        rows.map((r) => r.req.modelId),
        rows.map((r) => r.req.modelVersion),
        rows.map((r) => Trigger[r.req.trigger]),
        rows.map((r) => r.req.strategy),
        rows.map((r) => r.req.score),
        rows.map((r) => r.req.auditSample),
        rows.map((r) => r.req.sourceEventId),
        rows.map((r) => Buffer.from(toBinary(AnnotationRequestedSchema, r.req))),
        rows.map((r) => timestampDate(r.req.requestedAt!)),
      ],
    );
    const fresh = new Set(inserted.map((r) => r.item_id));
    await this.outbox.emitMany(
      em,
      rows
        .filter((r) => fresh.has(r.req.itemId))
        .map((r) => ({
          topic: Topics.annotationRequested,
          key: r.req.itemId,
          schema: AnnotationRequestedSchema,
          message: r.req,
          id: `annotation-requested:${r.req.itemId}`,
          traceparent: r.ev.traceparent,
        })),
    );
  }
}
