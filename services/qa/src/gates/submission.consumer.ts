import { Inject, Injectable } from '@nestjs/common';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AnnotationSubmitted,
  AnnotationSubmittedSchema,
  Label,
  LabelAcceptedSchema,
  ReworkRequestedSchema,
  Topics,
} from '@labelloop/contracts';
import type { ConsumedEvent, EventHandler, Outbox } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, OUTBOX } from '@labelloop/runtime';
import type { QaConfig } from '../qa.config';
import { decideItem } from './item-gate';

/** Canonical text of a classification label (classes sorted), used for voting. */
export function labelKey(label: Label | undefined): string | undefined {
  if (label?.value.case !== 'classification' || label.value.value.classes.length === 0) return undefined;
  return [...label.value.value.classes].sort().join('|');
}

/**
 * Collects answers per item and applies the item gate once the overlap is complete:
 * LabelAccepted on pass, ReworkRequested on fail. Answers are keyed by submission id, so a
 * redelivered submission changes no count and no figure.
 */
@Injectable()
export class SubmissionConsumer implements EventHandler<typeof AnnotationSubmittedSchema> {
  readonly topic = Topics.annotationSubmitted;
  readonly schema = AnnotationSubmittedSchema;

  constructor(
    @Inject(CONFIG) private readonly config: QaConfig,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  validate(s: AnnotationSubmitted): string | undefined {
    if (!s.submissionId) return 'submission_id is required';
    if (!s.itemId) return 'item_id is required';
    if (!s.annotatorId) return 'annotator_id is required';
    if (s.requiredAnswers < 1) return 'required_answers must be at least 1';
    if (!labelKey(s.label)) return 'label must be a non-empty classification label';
    return undefined;
  }

  async handle(events: ConsumedEvent<AnnotationSubmitted>[], em: EntityManager): Promise<void> {
    for (const ev of events) {
      const s = ev.message;
      await em.query(`INSERT INTO qa_item (item_id, project_id, state) VALUES ($1, $2, 'pending') ON CONFLICT DO NOTHING`, [s.itemId, s.projectId]);
      const [item]: { state: string; round: number }[] = await em.query('SELECT state, round FROM qa_item WHERE item_id = $1 FOR UPDATE', [s.itemId]);
      const inserted: unknown[] = await em.query(
        `INSERT INTO qa_answer (submission_id, item_id, round, annotator_id, label_key, required, submission)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1`,
        [s.submissionId, s.itemId, item.round, s.annotatorId, labelKey(s.label), s.requiredAnswers, Buffer.from(toBinary(AnnotationSubmittedSchema, s))],
      );
      if (inserted.length === 0 || item.state !== 'pending') continue;
      await this.decide(em, s, item.round, ev.traceparent);
    }
  }

  private async decide(em: EntityManager, s: AnnotationSubmitted, round: number, traceparent?: string): Promise<void> {
    const answers: { annotator_id: string; label_key: string; submission: Buffer }[] = await em.query(
      'SELECT annotator_id, label_key, submission FROM qa_answer WHERE item_id = $1 AND round = $2 ORDER BY received_at',
      [s.itemId, round],
    );
    const decision = decideItem(answers.map((a) => a.label_key), s.requiredAnswers, this.config.QA_MIN_AGREEMENT);
    if (decision.outcome === 'wait') return;
    const now = timestampFromDate(new Date());
    if (decision.outcome === 'rework') {
      await em.query(`UPDATE qa_item SET round = round + 1, reason = $2 WHERE item_id = $1`, [s.itemId, decision.reason]);
      await this.outbox.emit(em, {
        topic: Topics.reworkRequested,
        key: s.itemId,
        schema: ReworkRequestedSchema,
        id: `rework-requested:${s.itemId}:${round}`,
        traceparent,
        message: { itemId: s.itemId, projectId: s.projectId, reason: decision.reason, excludeAnnotatorIds: [], requestedAt: now },
      });
      return;
    }
    const winner = answers.find((a) => a.label_key === decision.label)!;
    const winning = fromBinary(AnnotationSubmittedSchema, winner.submission);
    await em.query(
      `UPDATE qa_item SET state = 'accepted', final_label = $2, confidence = $3, agreement = $4, decided_at = now() WHERE item_id = $1`,
      [s.itemId, decision.label, decision.confidence, decision.agreement],
    );
    await this.outbox.emit(em, {
      topic: Topics.labelAccepted,
      key: s.itemId,
      schema: LabelAcceptedSchema,
      id: `label-accepted:${s.itemId}`,
      traceparent,
      message: {
        itemId: s.itemId,
        projectId: s.projectId,
        label: winning.label,
        confidence: decision.confidence,
        annotatorIds: answers.map((a) => a.annotator_id),
        agreement: decision.agreement,
        qaPolicyVersion: this.config.QA_POLICY_VERSION,
        acceptedAt: now,
        modelId: s.modelId,
        modelVersion: s.modelVersion,
        trigger: s.trigger,
        strategy: s.strategy,
        sourceEventId: s.sourceEventId,
        inputUri: s.inputUri,
        contentHash: s.contentHash,
        guidelineVersion: s.guidelineVersion,
        auditSample: s.auditSample,
      },
    });
  }
}
