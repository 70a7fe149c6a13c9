import { Controller, Inject } from '@nestjs/common';
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
import type { ConsumedEvent, Outbox } from '@labelloop/messaging';
import type { Metrics } from '@labelloop/observability';
import { appendAudit, EntityManager, queryRows } from '@labelloop/persistence';
import type { Annotation } from '@labelloop/qa-metrics';
import { CONFIG, METRICS, OUTBOX, Consumes } from '@labelloop/runtime';
import type { QaConfig } from '../qa.config';
import { ProjectPolicy } from '../policy/policy';
import { QaPolicyRepository } from '../policy/policy.repository';
import { judgeBatch } from './batch-gate';
import { decideItem, EstimatedAccuracy, roundWindow } from './consensus';
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

/** A decision to accept an item: the consensus label and its figures. */
interface Acceptance {
  label: string;
  confidence: number;
  agreement: number;
  method: string;
}

/** One stored answer of an item's round. */
interface RoundAnswer {
  annotator_id: string;
  label_key: string;
  submission: Buffer;
}

/**
 * Collects answers per item and applies the project's gates (its QA policy, or the service
 * defaults) once the overlap is complete. The item gate: ReworkRequested on fail; on pass,
 * LabelAccepted at once, or, when the project has a batch gate, the item is held until its
 * batch is full and the batch is judged as a whole (Fleiss' kappa, gold accuracy): all its
 * items are accepted, or all sent back. Gold answers are scored against the known answer
 * instead. Every answer updates its annotator's scorecard; an annotator whose measured
 * accuracy falls below the floor is paused. Answers are keyed by submission id, so a
 * redelivered submission changes no count and no figure.
 */
@Controller()
export class SubmissionConsumer {
  private readonly decisions: Counter<'outcome'>;
  private readonly batches: Counter<'outcome'>;

  constructor(
    @Inject(CONFIG) private readonly config: QaConfig,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(METRICS) metrics: Metrics,
    private readonly policies: QaPolicyRepository,
  ) {
    this.decisions = new Counter({ name: 'labelloop_qa_decisions_total', help: 'Item gate decisions by outcome', labelNames: ['outcome'], registers: [metrics.registry] });
    this.batches = new Counter({ name: 'labelloop_qa_batches_total', help: 'Batch gate verdicts by outcome', labelNames: ['outcome'], registers: [metrics.registry] });
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

  @Consumes(Topics.annotationSubmitted, AnnotationSubmittedSchema)
  async handle(events: ConsumedEvent<AnnotationSubmitted>[], em: EntityManager): Promise<void> {
    await lockProjects(em, events.map((e) => e.message.projectId));
    for (const ev of events) {
      const s = ev.message;
      const policy = await this.policies.get(em, s.projectId);
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
      if (s.gold && policy.batchSize > 1) {
        await em.query('UPDATE qa_answer SET batch_no = $2 WHERE submission_id = $1', [s.submissionId, await this.openBatch(em, s.projectId)]);
      }
      await em.query(
        `INSERT INTO qa_annotator (annotator_id, project_id, answers, gold_answers, gold_correct, time_spent_ms, pre_label_accepted)
         VALUES ($1, $2, 1, $3, $4, $5, $6)
         ON CONFLICT (project_id, annotator_id) DO UPDATE SET answers = qa_annotator.answers + 1, gold_answers = qa_annotator.gold_answers + EXCLUDED.gold_answers,
           gold_correct = qa_annotator.gold_correct + EXCLUDED.gold_correct, time_spent_ms = qa_annotator.time_spent_ms + EXCLUDED.time_spent_ms,
           pre_label_accepted = qa_annotator.pre_label_accepted + EXCLUDED.pre_label_accepted`,
        [s.annotatorId, s.projectId, s.gold ? 1 : 0, goldCorrect ? 1 : 0, s.timeSpentMs, s.preLabelAccepted ? 1 : 0],
      );
      if (!s.gold && item.state === 'pending') await this.decide(em, s, item.round, policy, ev.traceparent);
      await this.checkPause(em, s.projectId, s.annotatorId, policy, ev.traceparent);
    }
  }

  private async decide(em: EntityManager, s: AnnotationSubmitted, round: number, policy: ProjectPolicy, traceparent?: string): Promise<void> {
    const answers = await this.roundAnswers(em, s.itemId, round);
    if (answers.length < s.requiredAnswers) return;
    const recent: Annotation[] = (
      await em.query(`SELECT item_id, annotator_id, label_key FROM qa_answer WHERE project_id = $1 AND NOT gold ORDER BY received_at DESC LIMIT $2`, [s.projectId, this.config.QA_WINDOW])
    ).map((r: { item_id: string; annotator_id: string; label_key: string }) => ({ item: r.item_id, annotator: r.annotator_id, label: r.label_key }));
    const window = roundWindow(recent, s.itemId, answers.map((a) => ({ item: s.itemId, annotator: a.annotator_id, label: a.label_key })));
    const { decision, estimated } = decideItem(s.itemId, answers.map((a) => a.label_key), s.requiredAnswers, window, policy);
    if (decision.outcome === 'wait') return;
    this.decisions.inc({ outcome: decision.outcome });
    const c = this.config;
    await checkGuidelines(em, this.outbox, s.projectId, { window: c.QA_GUIDELINE_WINDOW, minItems: c.QA_GUIDELINE_MIN_ITEMS, threshold: c.QA_GUIDELINE_DISAGREEMENT, margin: c.QA_GUIDELINE_MARGIN }, traceparent);
    if (estimated) await this.recordEstimates(em, s.projectId, estimated);
    if (decision.outcome === 'rework') {
      await this.rework(em, s.itemId, s.projectId, round, decision.reason, traceparent);
      return;
    }
    const accepted: Acceptance = { label: decision.label, confidence: decision.confidence, agreement: decision.agreement, method: decision.method };
    if (policy.batchSize > 1) {
      await this.hold(em, s.itemId, s.projectId, accepted, policy, traceparent);
      return;
    }
    await this.accept(em, s.itemId, s.projectId, round, accepted, policy.version, traceparent, answers);
    // Items still held from when the project had a batch gate are judged now, not left waiting.
    const [open]: { batch_no: number }[] = await em.query(`SELECT batch_no FROM qa_batch WHERE project_id = $1 AND state = 'open' AND held > 0`, [s.projectId]);
    if (open) await this.closeBatch(em, s.projectId, open.batch_no, policy, traceparent);
  }

  /** The (non-gold) answers of an item's round, in the order they came. */
  private roundAnswers(em: EntityManager, itemId: string, round: number): Promise<RoundAnswer[]> {
    return em.query('SELECT annotator_id, label_key, submission FROM qa_answer WHERE item_id = $1 AND round = $2 AND NOT gold ORDER BY received_at', [itemId, round]);
  }

  /**
   * Marks an item accepted, credits its annotators' scorecards and emits LabelAccepted. `answers`
   * are the round's answers when the caller has just read them (a held batch item reads its own).
   */
  private async accept(
    em: EntityManager,
    itemId: string,
    projectId: string,
    round: number,
    d: Acceptance,
    policyVersion: string,
    traceparent?: string,
    answers?: RoundAnswer[],
  ): Promise<void> {
    answers ??= await this.roundAnswers(em, itemId, round);
    const winner = fromBinary(AnnotationSubmittedSchema, answers.find((a) => a.label_key === d.label)!.submission);
    await em.query(`UPDATE qa_item SET state = 'accepted', final_label = $2, confidence = $3, agreement = $4, policy = $5, batch_no = NULL, decided_at = now() WHERE item_id = $1`, [
      itemId,
      d.label,
      d.confidence,
      d.agreement,
      policyVersion,
    ]);
    await em.query(
      `UPDATE qa_annotator SET decided = decided + 1, agreed = agreed + CASE WHEN annotator_id = ANY($3) THEN 1 ELSE 0 END WHERE project_id = $1 AND annotator_id = ANY($2)`,
      [projectId, answers.map((a) => a.annotator_id), answers.filter((a) => a.label_key === d.label).map((a) => a.annotator_id)],
    );
    await this.outbox.emit(em, {
      topic: Topics.labelAccepted,
      key: itemId,
      schema: LabelAcceptedSchema,
      id: `label-accepted:${itemId}`,
      traceparent,
      message: {
        itemId,
        projectId,
        label: winner.label,
        confidence: d.confidence,
        annotatorIds: answers.map((a) => a.annotator_id),
        agreement: d.agreement,
        qaPolicyVersion: `${policyVersion}/${d.method}`,
        acceptedAt: timestampFromDate(new Date()),
        modelId: winner.modelId,
        modelVersion: winner.modelVersion,
        trigger: winner.trigger,
        strategy: winner.strategy,
        sourceEventId: winner.sourceEventId,
        inputUri: winner.inputUri,
        contentHash: winner.contentHash,
        guidelineVersion: winner.guidelineVersion,
        auditSample: winner.auditSample,
        features: winner.features,
      },
    });
  }

  /** Sends an item back for another round with a reason; its annotators' rework counts grow. */
  private async rework(em: EntityManager, itemId: string, projectId: string, round: number, reason: string, traceparent?: string): Promise<void> {
    await em.query(`UPDATE qa_item SET state = 'pending', round = round + 1, reason = $2, batch_no = NULL WHERE item_id = $1`, [itemId, reason]);
    await em.query(
      `UPDATE qa_annotator SET rework = rework + 1 WHERE project_id = $1 AND annotator_id IN (SELECT annotator_id FROM qa_answer WHERE item_id = $2 AND round = $3 AND NOT gold)`,
      [projectId, itemId, round],
    );
    await this.outbox.emit(em, {
      topic: Topics.reworkRequested,
      key: itemId,
      schema: ReworkRequestedSchema,
      id: `rework-requested:${itemId}:${round}`,
      traceparent,
      message: { itemId, projectId, reason, excludeAnnotatorIds: [], requestedAt: timestampFromDate(new Date()) },
    });
  }

  /** The project's open batch (created when there is none); callers hold the project's lock. */
  private async openBatch(em: EntityManager, projectId: string): Promise<number> {
    const [open]: { batch_no: number }[] = await em.query(`SELECT batch_no FROM qa_batch WHERE project_id = $1 AND state = 'open'`, [projectId]);
    if (open) return open.batch_no;
    const [created]: { batch_no: number }[] = await em.query(
      `INSERT INTO qa_batch (project_id, batch_no, state) VALUES ($1, (SELECT COALESCE(MAX(batch_no), 0) + 1 FROM qa_batch WHERE project_id = $1), 'open') RETURNING batch_no`,
      [projectId],
    );
    return created.batch_no;
  }

  /** Holds an item that passed the item gate in its project's open batch; a full batch is judged. */
  private async hold(em: EntityManager, itemId: string, projectId: string, d: Acceptance, policy: ProjectPolicy, traceparent?: string): Promise<void> {
    const batch = await this.openBatch(em, projectId);
    await em.query(`UPDATE qa_item SET state = 'held', final_label = $2, confidence = $3, agreement = $4, method = $5, batch_no = $6 WHERE item_id = $1`, [
      itemId,
      d.label,
      d.confidence,
      d.agreement,
      d.method,
      batch,
    ]);
    const [{ held }] = await queryRows<{ held: number }>(em, 'UPDATE qa_batch SET held = held + 1 WHERE project_id = $1 AND batch_no = $2 RETURNING held', [projectId, batch]);
    if (held >= policy.batchSize) await this.closeBatch(em, projectId, batch, policy, traceparent);
  }

  /** Judges a batch: every held item is accepted, or every one is sent back with the batch's reason. */
  private async closeBatch(em: EntityManager, projectId: string, batch: number, policy: ProjectPolicy, traceparent?: string): Promise<void> {
    const items: { item_id: string; round: number; final_label: string; confidence: number; agreement: number; method: string }[] = await em.query(
      `SELECT item_id, round, final_label, confidence, agreement, method FROM qa_item WHERE project_id = $1 AND batch_no = $2 AND state = 'held' ORDER BY item_id`,
      [projectId, batch],
    );
    const answers: { item_id: string; label_key: string }[] = await em.query(
      `SELECT a.item_id, a.label_key FROM qa_answer a JOIN qa_item i ON i.item_id = a.item_id AND i.round = a.round
        WHERE i.project_id = $1 AND i.batch_no = $2 AND i.state = 'held' AND NOT a.gold`,
      [projectId, batch],
    );
    const [gold]: { n: number; correct: number }[] = await em.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE gold_correct)::int AS correct FROM qa_answer WHERE project_id = $1 AND gold AND batch_no = $2`,
      [projectId, batch],
    );
    const byItem = new Map<string, string[]>(items.map((i) => [i.item_id, []]));
    for (const a of answers) byItem.get(a.item_id)?.push(a.label_key);
    const v = judgeBatch([...byItem.values()], { answers: gold.n, correct: gold.correct }, policy);
    await em.query(
      `UPDATE qa_batch SET state = $3, kappa = $4, gold_answers = $5, gold_correct = $6, reason = $7, policy = $8, closed_at = now() WHERE project_id = $1 AND batch_no = $2`,
      [projectId, batch, v.passed ? 'passed' : 'failed', v.kappa, gold.n, gold.correct, v.reason || null, policy.version],
    );
    this.batches.inc({ outcome: v.passed ? 'passed' : 'failed' });
    for (const i of items) {
      if (v.passed) {
        await this.accept(em, i.item_id, projectId, i.round, { label: i.final_label, confidence: i.confidence, agreement: i.agreement, method: i.method }, policy.version, traceparent);
      } else {
        await this.rework(em, i.item_id, projectId, i.round, `batch ${batch} failed: ${v.reason}`, traceparent);
      }
    }
  }

  private async recordEstimates(em: EntityManager, projectId: string, estimated: EstimatedAccuracy): Promise<void> {
    const ids = [...estimated.keys()];
    await em.query(
      `UPDATE qa_annotator a SET estimated_accuracy = e.acc, estimated_count = e.n
         FROM unnest($2::text[], $3::float8[], $4::int[]) AS e(id, acc, n) WHERE a.project_id = $1 AND a.annotator_id = e.id`,
      [projectId, ids, ids.map((i) => estimated.get(i)!.accuracy), ids.map((i) => estimated.get(i)!.count)],
    );
  }

  /**
   * Pauses an annotator once the evidence says their accuracy is below the floor (once per
   * pause: a resumed annotator is measured again from the counts at the resume).
   */
  private async checkPause(em: EntityManager, projectId: string, annotatorId: string, p: ProjectPolicy, traceparent?: string): Promise<void> {
    const [a]: {
      answers: number; gold_answers: number; gold_correct: number; estimated_accuracy: number | null; estimated_count: number; paused: boolean;
      pause_epoch: number; answers_at_resume: number; gold_answers_at_resume: number; gold_correct_at_resume: number;
    }[] = await em.query(
      `SELECT answers, gold_answers, gold_correct, estimated_accuracy, estimated_count, paused, pause_epoch, answers_at_resume, gold_answers_at_resume, gold_correct_at_resume
         FROM qa_annotator WHERE project_id = $1 AND annotator_id = $2`,
      [projectId, annotatorId],
    );
    if (!a || a.paused) return;
    const gold = a.gold_answers - a.gold_answers_at_resume;
    const goldCorrect = a.gold_correct - a.gold_correct_at_resume;
    const fresh = a.answers - a.answers_at_resume;
    let reason: string | undefined;
    let accuracy = 0;
    if (gold >= p.minGoldForPause && goldCorrect / gold < p.annotatorFloor) {
      accuracy = goldCorrect / gold;
      reason = `gold accuracy ${accuracy.toFixed(2)} over ${gold} gold items is below ${p.annotatorFloor}`;
    } else if (a.estimated_accuracy !== null && a.estimated_count >= p.minAnswersForPause && fresh >= p.minAnswersForPause && a.estimated_accuracy < p.annotatorFloor) {
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
      id: a.pause_epoch === 0 ? `annotator-paused:${projectId}:${annotatorId}` : `annotator-paused:${projectId}:${annotatorId}:${a.pause_epoch}`,
      traceparent,
      message: { annotatorId, projectId, reason, accuracy, pausedAt: timestampFromDate(new Date()) },
    });
  }
}
