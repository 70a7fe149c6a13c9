import { Inject, Injectable } from '@nestjs/common';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Counter } from 'prom-client';
import {
  AnnotationSubmitted,
  AnnotationSubmittedSchema,
  AnnotatorPausedSchema,
  Label,
  LabelAcceptedSchema,
  ReworkRequestedSchema,
  Topics,
} from '@labelloop/contracts';
import type { ConsumedEvent, EventHandler, Outbox } from '@labelloop/messaging';
import type { Metrics } from '@labelloop/observability';
import { appendAudit, EntityManager } from '@labelloop/persistence';
import type { Annotation } from '@labelloop/qa-metrics';
import { CONFIG, METRICS, OUTBOX } from '@labelloop/runtime';
import type { QaConfig } from '../qa.config';
import { decideItem, EstimatedAccuracy, QaPolicy } from './consensus';
import { checkGuidelines } from './guideline-review';

/** Canonical text of a classification label (classes sorted), used for voting. */
export function labelKey(label: Label | undefined): string | undefined {
  if (label?.value.case !== 'classification' || label.value.value.classes.length === 0) return undefined;
  return [...label.value.value.classes].sort().join('|');
}

/** Namespace (first key) of the QA service's advisory locks. */
const QA_PROJECT_LOCK = 0x5141; // "QA"

/**
 * Serialises the batches of one project: every scorecard update (the answer's annotator, the
 * item's other annotators, the Dawid–Skene estimates of the whole project) touches
 * qa_annotator rows of that project only, in an order no single statement can fix. Partitions
 * processed in parallel used to lock those rows in different orders and deadlock; a
 * transaction-scoped advisory lock per project, taken in sorted order, makes them wait instead.
 */
export async function lockProjects(em: EntityManager, projectIds: readonly string[]): Promise<void> {
  for (const p of [...new Set(projectIds)].sort()) await em.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [QA_PROJECT_LOCK, p]);
}

/**
 * Collects answers per item and applies the item gate once the overlap is complete:
 * LabelAccepted on pass, ReworkRequested on fail. Gold answers are scored against the known
 * answer instead. Every answer updates its annotator's scorecard; an annotator whose measured
 * accuracy falls below the floor is paused. Answers are keyed by submission id, so a
 * redelivered submission changes no count and no figure.
 */
@Injectable()
export class SubmissionConsumer implements EventHandler<typeof AnnotationSubmittedSchema> {
  readonly topic = Topics.annotationSubmitted;
  readonly schema = AnnotationSubmittedSchema;
  private readonly policy: QaPolicy;
  private readonly decisions: Counter<'outcome'>;

  constructor(
    @Inject(CONFIG) private readonly config: QaConfig,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(METRICS) metrics: Metrics,
  ) {
    this.policy = {
      method: config.QA_METHOD,
      minConfidence: config.QA_MIN_CONFIDENCE,
      annotatorFloor: config.QA_ANNOTATOR_FLOOR,
      minGoldForPause: config.QA_MIN_GOLD_FOR_PAUSE,
      minAnswersForPause: config.QA_MIN_ANSWERS_FOR_PAUSE,
    };
    this.decisions = new Counter({ name: 'labelloop_qa_decisions_total', help: 'Item gate decisions by outcome', labelNames: ['outcome'], registers: [metrics.registry] });
  }

  validate(s: AnnotationSubmitted): string | undefined {
    if (!s.submissionId) return 'submission_id is required';
    if (!s.itemId) return 'item_id is required';
    if (!s.projectId) return 'project_id is required';
    if (!s.annotatorId) return 'annotator_id is required';
    if (s.requiredAnswers < 1) return 'required_answers must be at least 1';
    if (!labelKey(s.label)) return 'label must be a non-empty classification label';
    if (s.gold && !labelKey(s.goldLabel)) return 'a gold submission needs its gold_label';
    return undefined;
  }

  async handle(events: ConsumedEvent<AnnotationSubmitted>[], em: EntityManager): Promise<void> {
    await lockProjects(em, events.map((e) => e.message.projectId));
    for (const ev of events) {
      const s = ev.message;
      const key = labelKey(s.label)!;
      await em.query(`INSERT INTO qa_item (item_id, project_id, state) VALUES ($1, $2, 'pending') ON CONFLICT DO NOTHING`, [s.itemId, s.projectId]);
      const [item]: { state: string; round: number }[] = await em.query('SELECT state, round FROM qa_item WHERE item_id = $1 FOR UPDATE', [s.itemId]);
      const goldCorrect = s.gold ? key === labelKey(s.goldLabel) : null;
      const inserted: unknown[] = await em.query(
        `INSERT INTO qa_answer (submission_id, item_id, round, annotator_id, label_key, required, submission, project_id, gold, gold_correct, time_spent_ms, pre_label_accepted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING RETURNING 1`,
        [s.submissionId, s.itemId, item.round, s.annotatorId, key, s.requiredAnswers, Buffer.from(toBinary(AnnotationSubmittedSchema, s)), s.projectId, s.gold, goldCorrect, s.timeSpentMs, s.preLabelAccepted],
      );
      if (inserted.length === 0) continue; // redelivered: already counted
      await em.query(
        `INSERT INTO qa_annotator (annotator_id, project_id, answers, gold_answers, gold_correct, time_spent_ms, pre_label_accepted)
         VALUES ($1, $2, 1, $3, $4, $5, $6)
         ON CONFLICT (project_id, annotator_id) DO UPDATE SET answers = qa_annotator.answers + 1, gold_answers = qa_annotator.gold_answers + EXCLUDED.gold_answers,
           gold_correct = qa_annotator.gold_correct + EXCLUDED.gold_correct, time_spent_ms = qa_annotator.time_spent_ms + EXCLUDED.time_spent_ms,
           pre_label_accepted = qa_annotator.pre_label_accepted + EXCLUDED.pre_label_accepted`,
        [s.annotatorId, s.projectId, s.gold ? 1 : 0, goldCorrect ? 1 : 0, s.timeSpentMs, s.preLabelAccepted ? 1 : 0],
      );
      if (!s.gold && item.state === 'pending') await this.decide(em, s, item.round, ev.traceparent);
      await this.checkPause(em, s.projectId, s.annotatorId, ev.traceparent);
    }
  }

  private async decide(em: EntityManager, s: AnnotationSubmitted, round: number, traceparent?: string): Promise<void> {
    const answers: { annotator_id: string; label_key: string; submission: Buffer }[] = await em.query(
      'SELECT annotator_id, label_key, submission FROM qa_answer WHERE item_id = $1 AND round = $2 AND NOT gold ORDER BY received_at',
      [s.itemId, round],
    );
    if (answers.length < s.requiredAnswers) return;
    const window: Annotation[] = (
      await em.query(`SELECT item_id, annotator_id, label_key FROM qa_answer WHERE project_id = $1 AND NOT gold ORDER BY received_at DESC LIMIT $2`, [s.projectId, this.config.QA_WINDOW])
    ).map((r: { item_id: string; annotator_id: string; label_key: string }) => ({ item: r.item_id, annotator: r.annotator_id, label: r.label_key }));
    const { decision, estimated } = decideItem(s.itemId, answers.map((a) => a.label_key), s.requiredAnswers, window, this.policy);
    if (decision.outcome === 'wait') return;
    this.decisions.inc({ outcome: decision.outcome });
    const c = this.config;
    await checkGuidelines(em, this.outbox, s.projectId, { window: c.QA_GUIDELINE_WINDOW, minItems: c.QA_GUIDELINE_MIN_ITEMS, threshold: c.QA_GUIDELINE_DISAGREEMENT, margin: c.QA_GUIDELINE_MARGIN }, traceparent);
    if (estimated) await this.recordEstimates(em, s.projectId, estimated);
    const now = timestampFromDate(new Date());
    if (decision.outcome === 'rework') {
      await em.query(`UPDATE qa_item SET round = round + 1, reason = $2 WHERE item_id = $1`, [s.itemId, decision.reason]);
      await em.query(`UPDATE qa_annotator SET rework = rework + 1 WHERE project_id = $1 AND annotator_id = ANY($2)`, [s.projectId, answers.map((a) => a.annotator_id)]);
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
    const winner = fromBinary(AnnotationSubmittedSchema, answers.find((a) => a.label_key === decision.label)!.submission);
    await em.query(`UPDATE qa_item SET state = 'accepted', final_label = $2, confidence = $3, agreement = $4, decided_at = now() WHERE item_id = $1`, [
      s.itemId,
      decision.label,
      decision.confidence,
      decision.agreement,
    ]);
    await em.query(
      `UPDATE qa_annotator SET decided = decided + 1, agreed = agreed + CASE WHEN annotator_id = ANY($3) THEN 1 ELSE 0 END WHERE project_id = $1 AND annotator_id = ANY($2)`,
      [s.projectId, answers.map((a) => a.annotator_id), answers.filter((a) => a.label_key === decision.label).map((a) => a.annotator_id)],
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
        label: winner.label,
        confidence: decision.confidence,
        annotatorIds: answers.map((a) => a.annotator_id),
        agreement: decision.agreement,
        qaPolicyVersion: `${this.config.QA_POLICY_VERSION}/${decision.method}`,
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

  private async recordEstimates(em: EntityManager, projectId: string, estimated: EstimatedAccuracy): Promise<void> {
    const ids = [...estimated.keys()];
    await em.query(
      `UPDATE qa_annotator a SET estimated_accuracy = e.acc, estimated_count = e.n
         FROM unnest($2::text[], $3::float8[], $4::int[]) AS e(id, acc, n) WHERE a.project_id = $1 AND a.annotator_id = e.id`,
      [projectId, ids, ids.map((i) => estimated.get(i)!.accuracy), ids.map((i) => estimated.get(i)!.count)],
    );
  }

  /** Pauses an annotator once the evidence says their accuracy is below the floor (once). */
  private async checkPause(em: EntityManager, projectId: string, annotatorId: string, traceparent?: string): Promise<void> {
    const [a]: { gold_answers: number; gold_correct: number; estimated_accuracy: number | null; estimated_count: number; paused: boolean }[] = await em.query(
      'SELECT gold_answers, gold_correct, estimated_accuracy, estimated_count, paused FROM qa_annotator WHERE project_id = $1 AND annotator_id = $2',
      [projectId, annotatorId],
    );
    if (!a || a.paused) return;
    const p = this.policy;
    let reason: string | undefined;
    let accuracy = 0;
    if (a.gold_answers >= p.minGoldForPause && a.gold_correct / a.gold_answers < p.annotatorFloor) {
      accuracy = a.gold_correct / a.gold_answers;
      reason = `gold accuracy ${accuracy.toFixed(2)} over ${a.gold_answers} gold items is below ${p.annotatorFloor}`;
    } else if (a.estimated_accuracy !== null && a.estimated_count >= p.minAnswersForPause && a.estimated_accuracy < p.annotatorFloor) {
      accuracy = a.estimated_accuracy;
      reason = `estimated accuracy ${accuracy.toFixed(2)} (Dawid–Skene, ${a.estimated_count} answers) is below ${p.annotatorFloor}`;
    }
    if (!reason) return;
    await em.query('UPDATE qa_annotator SET paused = true WHERE project_id = $1 AND annotator_id = $2', [projectId, annotatorId]);
    await appendAudit(em, { actor: 'qa', action: 'annotator.paused', subject: `${projectId}/${annotatorId}`, detail: { reason, accuracy } });
    await this.outbox.emit(em, {
      topic: Topics.annotatorPaused,
      key: annotatorId,
      schema: AnnotatorPausedSchema,
      id: `annotator-paused:${projectId}:${annotatorId}`,
      traceparent,
      message: { annotatorId, projectId, reason, accuracy, pausedAt: timestampFromDate(new Date()) },
    });
  }
}
