import { Controller, Inject } from '@nestjs/common';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Counter } from 'prom-client';
import {
  AnnotationSubmitted,
  AnnotationSubmittedSchema,
  AnnotatorPausedSchema,
  AnswersRequestedSchema,
  isMachineAnnotator,
  type Label,
  labelAcceptedId,
  LabelAcceptedSchema,
  LabelSchema,
  ReworkRequestedSchema,
  Topics,
} from '@labelloop/contracts';
import { ConsumedEvent, Outbox, PoisonMessageError } from '@labelloop/messaging';
import type { Metrics } from '@labelloop/observability';
import { appendAudit, EntityManager } from '@labelloop/persistence';
import type { Annotation } from '@labelloop/qa-metrics';
import { CONFIG, METRICS, OUTBOX, Consumes } from '@labelloop/runtime';
import type { QaConfig } from '../qa.config';
import { ProjectPolicy } from '../policy/policy';
import { QaPolicyRepository } from '../policy/policy.repository';
import { qaAnnotators } from '../repositories/qa-annotator.repository';
import { qaAgreementBuckets } from '../repositories/qa-agreement.repository';
import { qaAnswers, type NewAnswer, RoundAnswerRow } from '../repositories/qa-answer.repository';
import { qaBatches } from '../repositories/qa-batch.repository';
import { qaItems, type LockedItemRow } from '../repositories/qa-item.repository';
import { qaProjectLocks } from '../repositories/qa-project-lock.repository';
import { nextOverlapStep, type MoreAnswers } from './adaptive-overlap';
import { roundAgreement } from './agreement-history';
import { pauseDecision, pausedEventId } from './annotator-pause';
import { answersByItem, judgeBatch } from './batch-gate';
import { decideItem, EstimatedAccuracy, type ItemDecision, roundWindow } from './consensus';
import { checkGuidelines } from './guideline-review';
import { CATEGORICAL, kindOf, labelFromKey, labelKey, labelProblem, type LabelKind } from './label-kinds';
import { decideStructured, goldCorrect } from './structured-consensus';
import { decideText } from './text-review';

export { labelKey } from './label-kinds';

/** The kind of a round: multi-label when any classification answer gives several classes, otherwise its first answer's. */
export function roundKind(labels: readonly (Label | undefined)[]): LabelKind {
  const kinds = labels.map(kindOf);
  if (kinds.includes('multi_label') && kinds.every((k) => k === 'classification' || k === 'multi_label')) return 'multi_label';
  return kinds[0] ?? 'classification';
}

const labelOf = (a: RoundAnswerRow): Label | undefined => fromBinary(AnnotationSubmittedSchema, a.submission).label;

/**
 * Serialises the batches of one project: every scorecard update (the answer's annotator, the
 * item's other annotators, the Dawid–Skene estimates of the whole project) touches
 * qa_annotator rows of that project only, in an order no single statement can fix. Partitions
 * processed in parallel used to lock those rows in different orders and deadlock; a
 * transaction-scoped advisory lock per project, taken in sorted order, makes them wait instead.
 */
export async function lockProjects(em: EntityManager, projectIds: readonly string[]): Promise<void> {
  for (const p of [...new Set(projectIds)].sort()) await qaProjectLocks.take(em, p);
}

/** A decision to accept an item: the consensus label and its figures. */
interface Acceptance {
  label: string;
  confidence: number;
  agreement: number;
  method: string;
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
  private readonly answers: Counter<'project' | 'annotator'>;
  private readonly accepted: Counter<'project'>;
  private readonly requested: Counter<'project'>;

  constructor(
    @Inject(CONFIG) private readonly config: QaConfig,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(METRICS) metrics: Metrics,
    private readonly policies: QaPolicyRepository,
  ) {
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers: [metrics.registry] });
    this.decisions = counter('labelloop_qa_decisions_total', 'Item gate decisions by outcome', ['outcome']);
    this.batches = counter('labelloop_qa_batches_total', 'Batch gate verdicts by outcome', ['outcome']);
    this.answers = counter('labelloop_qa_answers_total', 'Answers stored per project (gold excluded), by people (annotator="human") or machines', [
      'project',
      'annotator',
    ]);
    this.accepted = counter('labelloop_qa_labels_accepted_total', 'Items accepted per project', ['project']);
    // Not a decision: kept out of labelloop_qa_decisions_total, whose rework share the alerts watch.
    this.requested = counter('labelloop_qa_answers_requested_total', 'Extra answers adaptive overlap asked for, per project', ['project']);
  }

  validate(s: AnnotationSubmitted): string | undefined {
    if (!s.submissionId) return 'submission_id is required';
    if (!s.itemId) return 'item_id is required';
    if (!s.projectId) return 'project_id is required';
    if (!s.annotatorId) return 'annotator_id is required';
    if (s.requiredAnswers < 1) return 'required_answers must be at least 1';
    const problem = labelProblem(s.label);
    if (problem) return problem;
    if (s.gold && labelProblem(s.goldLabel)) return `a gold submission needs its gold_label: ${labelProblem(s.goldLabel)}`;
    if (s.supersedesSubmissionId === s.submissionId) return 'supersedes_submission_id names the submission itself';
    return undefined;
  }

  @Consumes(Topics.annotationSubmitted, AnnotationSubmittedSchema)
  async handle(events: ConsumedEvent<AnnotationSubmitted>[], em: EntityManager): Promise<void> {
    await lockProjects(
      em,
      events.map((e) => e.message.projectId),
    );
    for (const ev of events) {
      const s = ev.message;
      const policy = await this.policies.get(em, s.projectId);
      const key = labelKey(s.label);
      if (key === undefined) throw new PoisonMessageError(ev.id, `QA cannot judge this label: ${labelProblem(s.label)}`);
      await qaItems.ensure(em, s.itemId, s.projectId);
      const item = await qaItems.lock(em, s.itemId);
      // Stored already, or replaced by an edit: a redelivery or a late copy changes nothing.
      if (await qaAnswers.known(em, s.itemId, s.submissionId)) continue;
      const answer: NewAnswer = {
        submissionId: s.submissionId,
        itemId: s.itemId,
        round: item.round,
        annotatorId: s.annotatorId,
        labelKey: key,
        required: s.requiredAnswers,
        submission: Buffer.from(toBinary(AnnotationSubmittedSchema, s)),
        projectId: s.projectId,
        gold: s.gold,
        goldCorrect: s.gold ? goldCorrect(s.label, s.goldLabel) : null,
        timeSpentMs: s.timeSpentMs,
        preLabelAccepted: s.preLabelAccepted,
        review: !s.gold && item.state === 'pending' && item.review_requested && kindOf(s.label) === 'text',
      };
      if (s.supersedesSubmissionId) {
        const replaced = await qaAnswers.replace(em, s.supersedesSubmissionId, answer);
        if (replaced) {
          if (!s.gold) await this.recompute(em, s, replaced.round, item, policy, ev.traceparent);
          continue;
        }
        // The answer it replaces is unknown (not received yet): this one counts as the answer,
        // and the replaced one, should it come later, is known as replaced.
      }
      const inserted = await qaAnswers.insert(em, answer);
      if (!inserted) continue; // redelivered: already counted
      if (s.supersedesSubmissionId) await qaAnswers.markSuperseded(em, s.submissionId, s.supersedesSubmissionId);
      if (!s.gold) this.answers.inc({ project: s.projectId, annotator: isMachineAnnotator(s.annotatorId) ? 'machine' : 'human' });
      if (s.gold && policy.batchSize > 1) await qaAnswers.assignBatch(em, s.submissionId, await this.openBatch(em, s.projectId));
      await qaAnnotators.countAnswer(em, s.projectId, s.annotatorId, {
        gold: s.gold,
        goldCorrect: answer.goldCorrect === true,
        timeSpentMs: s.timeSpentMs,
        preLabelAccepted: s.preLabelAccepted,
      });
      if (!s.gold && item.state === 'pending') await this.decide(em, s, item, policy, ev.traceparent);
      await this.checkPause(em, s.projectId, s.annotatorId, policy, ev.traceparent);
    }
  }

  /**
   * The item gate of the round's kind, without effects: classification and preference by
   * Dawid–Skene or majority over the answers' keys, spans, boxes and multi-label classes by their
   * consensus and mean pairwise F1, free text by equal answers or a reviewer's.
   */
  private async judge(
    em: EntityManager,
    s: AnnotationSubmitted,
    answers: RoundAnswerRow[],
    kind: LabelKind,
    policy: ProjectPolicy,
    maxAnswers: number,
    reviewRequested: boolean,
  ): Promise<{ gate: ItemDecision | { outcome: 'review'; text: string; reason: string }; estimated?: EstimatedAccuracy }> {
    if (kind === 'text') {
      const d = decideText(
        answers.map((a) => ({ key: a.label_key, text: textOf(labelOf(a)), review: a.review })),
        s.requiredAnswers,
        reviewRequested,
      );
      if (d.outcome !== 'accept') return { gate: d };
      return { gate: { outcome: 'accept', label: answers[d.index].label_key, confidence: d.confidence, agreement: d.agreement, method: d.method } };
    }
    if (!CATEGORICAL.has(kind)) {
      return {
        gate: decideStructured(
          kind,
          answers.map(labelOf).filter((l): l is Label => l !== undefined),
          s.requiredAnswers,
          policy.minConfidence,
        ).decision,
      };
    }
    const recent: Annotation[] = (await qaAnswers.recent(em, s.projectId, this.config.QA_WINDOW)).map((r) => ({
      item: r.item_id,
      annotator: r.annotator_id,
      label: r.label_key,
    }));
    const window = roundWindow(
      recent,
      s.itemId,
      answers.map((a) => ({ item: s.itemId, annotator: a.annotator_id, label: a.label_key })),
    );
    const { decision, estimated } = decideItem(
      s.itemId,
      answers.map((a) => a.label_key),
      s.requiredAnswers,
      window,
      policy,
      maxAnswers > 0,
      maxAnswers > answers.length,
    );
    return { gate: decision, estimated };
  }

  private async decide(em: EntityManager, s: AnnotationSubmitted, item: LockedItemRow, policy: ProjectPolicy, traceparent?: string): Promise<void> {
    const round = item.round;
    const answers = await qaAnswers.ofRound(em, s.itemId, round);
    if (answers.length < s.requiredAnswers) return;
    const kind = roundKind(answers.map(labelOf));
    await qaItems.setKind(em, s.itemId, kind);
    // Adaptive overlap works on an item's first round; a rework round is a reviewer's to settle.
    const maxAnswers = round === 0 && kind !== 'text' ? policy.maxAnswers : 0;
    const { gate, estimated } = await this.judge(em, s, answers, kind, policy, maxAnswers, item.review_requested);
    if (gate.outcome === 'review') {
      this.requested.inc({ project: s.projectId });
      await qaItems.requestReview(em, s.itemId);
      await this.requestAnswer(
        em,
        s,
        round,
        answers,
        { outcome: 'more_answers', target: answers.length + 1, reason: gate.reason },
        policy.maxAnswers,
        traceparent,
        gate.text,
      );
      return;
    }
    const decision = nextOverlapStep(gate, answers.length, maxAnswers);
    if (decision.outcome === 'wait') return;
    if (decision.outcome === 'more_answers') {
      this.requested.inc({ project: s.projectId });
      if (estimated) await this.recordEstimates(em, s.projectId, estimated);
      await this.requestAnswer(em, s, round, answers, decision, maxAnswers, traceparent);
      return;
    }
    this.decisions.inc({ outcome: decision.outcome });
    const agreed = roundAgreement(
      answers.map((a) => a.label_key),
      decision.outcome === 'rework',
      decision.outcome === 'accept' && !CATEGORICAL.has(kind) ? agreeingWith(answers, consensusLabel(answers, decision.label)).length : undefined,
    );
    if (agreed) await qaAgreementBuckets.record(em, s.projectId, agreed, this.config.QA_AGREEMENT_BUCKET_ROUNDS, this.config.QA_AGREEMENT_HISTORY);
    const c = this.config;
    // Guideline reviews compare classes: they apply to classification and preference rounds.
    if (CATEGORICAL.has(kind)) {
      await checkGuidelines(
        em,
        this.outbox,
        s.projectId,
        { window: c.QA_GUIDELINE_WINDOW, minItems: c.QA_GUIDELINE_MIN_ITEMS, threshold: c.QA_GUIDELINE_DISAGREEMENT, margin: c.QA_GUIDELINE_MARGIN },
        traceparent,
      );
    }
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
    const open = await qaBatches.openWithItems(em, s.projectId);
    if (open !== undefined) await this.closeBatch(em, s.projectId, open, policy, traceparent);
  }

  /**
   * An answer was replaced by its annotator's edit. A pending round is judged as usual; an
   * accepted item's round is judged again, and when the label it now accepts differs from the
   * one emitted, LabelAccepted is emitted again (the registry takes it as a relabel of the item).
   * A recomputation that no longer passes the gate leaves the accepted label as it was; an
   * answer of an earlier round, or of an item held in a batch (judged when the batch closes,
   * from the answers as they are then), changes nothing now.
   */
  private async recompute(
    em: EntityManager,
    s: AnnotationSubmitted,
    round: number,
    item: LockedItemRow,
    policy: ProjectPolicy,
    traceparent?: string,
  ): Promise<void> {
    if (round !== item.round) return;
    if (item.state === 'pending') return this.decide(em, s, item, policy, traceparent);
    if (item.state !== 'accepted') return;
    const answers = await qaAnswers.ofRound(em, s.itemId, round);
    const kind = roundKind(answers.map(labelOf));
    const { gate } = await this.judge(em, s, answers, kind, policy, 0, false);
    if (gate.outcome !== 'accept') return;
    const label = consensusLabel(answers, gate.label);
    const bytes = Buffer.from(toBinary(LabelSchema, label));
    if (item.accepted_label ? bytes.equals(item.accepted_label) : gate.label === item.final_label) return;
    await this.accept(
      em,
      s.itemId,
      s.projectId,
      round,
      { label: gate.label, confidence: gate.confidence, agreement: gate.agreement, method: gate.method },
      policy.version,
      traceparent,
      answers,
      `${labelAcceptedId(s.projectId, s.itemId)}:${s.submissionId}`,
    );
  }

  /**
   * Marks an item accepted, credits its annotators' scorecards and emits LabelAccepted. `answers`
   * are the round's answers when the caller has just read them (a held batch item reads its own).
   * `relabelId`: the event id of a relabel (the item was accepted before; scorecards are not
   * credited twice).
   */
  private async accept(
    em: EntityManager,
    itemId: string,
    projectId: string,
    round: number,
    d: Acceptance,
    policyVersion: string,
    traceparent?: string,
    answers?: RoundAnswerRow[],
    relabelId?: string,
  ): Promise<void> {
    answers ??= await qaAnswers.ofRound(em, itemId, round);
    const label = consensusLabel(answers, d.label);
    const submissions = answers.map((a) => fromBinary(AnnotationSubmittedSchema, a.submission));
    // Lineage comes from the answer that gave the label (the first answer when it is a consensus of several).
    const winner = submissions[answers.findIndex((a) => a.label_key === d.label)] ?? submissions[0];
    if (!winner) throw new Error(`item ${itemId} accepted "${d.label}" with no answer in round ${round}`);
    await qaItems.accept(em, itemId, d, policyVersion, Buffer.from(toBinary(LabelSchema, label)));
    if (!relabelId) {
      this.accepted.inc({ project: projectId });
      await qaAnnotators.countDecided(
        em,
        projectId,
        answers.map((a) => a.annotator_id),
        agreeingWith(answers, label),
      );
    }
    await this.outbox.emit(em, {
      topic: Topics.labelAccepted,
      key: itemId,
      schema: LabelAcceptedSchema,
      id: relabelId ?? labelAcceptedId(projectId, itemId),
      traceparent,
      message: {
        itemId,
        projectId,
        label,
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
        contentText: submissions.find((x) => x.contentText)?.contentText ?? '',
        imageWidth: submissions.find((x) => x.imageWidth)?.imageWidth ?? 0,
        imageHeight: submissions.find((x) => x.imageHeight)?.imageHeight ?? 0,
        schemaVersion: submissions.find((x) => x.schemaVersion)?.schemaVersion ?? 0,
      },
    });
  }

  /**
   * Adaptive overlap: asks dispatch for one more answer on the item (the round stays open). The
   * event id names the item, round and target, and the answer that completed the count is
   * stored once by its submission id, so no redelivery asks twice.
   */
  private async requestAnswer(
    em: EntityManager,
    s: AnnotationSubmitted,
    round: number,
    answers: RoundAnswerRow[],
    more: MoreAnswers,
    maxAnswers: number,
    traceparent?: string,
    reviewText?: string,
  ): Promise<void> {
    await qaItems.countAnswersRequested(em, s.itemId);
    await this.outbox.emit(em, {
      topic: Topics.answersRequested,
      key: s.itemId,
      schema: AnswersRequestedSchema,
      id: `answers-requested:${s.itemId}:${round}:${more.target}`,
      traceparent,
      message: {
        itemId: s.itemId,
        projectId: s.projectId,
        round,
        answers: answers.length,
        targetAnswers: more.target,
        maxAnswers,
        reason: more.reason,
        excludeAnnotatorIds: [...new Set(answers.map((a) => a.annotator_id))],
        requestedAt: timestampFromDate(new Date()),
        review: reviewText !== undefined,
        reviewText: reviewText ?? '',
      },
    });
  }

  /** Sends an item back for another round with a reason; its annotators' rework counts grow. */
  private async rework(em: EntityManager, itemId: string, projectId: string, round: number, reason: string, traceparent?: string): Promise<void> {
    await qaItems.rework(em, itemId, reason);
    await qaAnnotators.countRework(em, projectId, itemId, round);
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
    return (await qaBatches.open(em, projectId)) ?? qaBatches.create(em, projectId);
  }

  /** Holds an item that passed the item gate in its project's open batch; a full batch is judged. */
  private async hold(em: EntityManager, itemId: string, projectId: string, d: Acceptance, policy: ProjectPolicy, traceparent?: string): Promise<void> {
    const batch = await this.openBatch(em, projectId);
    await qaItems.hold(em, itemId, d, batch);
    const held = await qaBatches.addHeld(em, projectId, batch);
    if (held >= policy.batchSize) await this.closeBatch(em, projectId, batch, policy, traceparent);
  }

  /** Judges a batch: every held item is accepted, or every one is sent back with the batch's reason. */
  private async closeBatch(em: EntityManager, projectId: string, batch: number, policy: ProjectPolicy, traceparent?: string): Promise<void> {
    const items = await qaItems.heldInBatch(em, projectId, batch);
    const answers = await qaAnswers.heldInBatch(em, projectId, batch);
    const gold = await qaAnswers.goldOfBatch(em, projectId, batch);
    // Classification and preference items are judged by Fleiss' kappa over their answers; the
    // others (spans, boxes, multi-label, free text) by their overlap items' agreement.
    const categorical = items.filter((i) => CATEGORICAL.has((i.label_kind ?? 'classification') as LabelKind));
    const answered = new Map<string, number>();
    for (const a of answers) answered.set(a.item_id, (answered.get(a.item_id) ?? 0) + 1);
    const structured = items.filter((i) => !categorical.includes(i) && (answered.get(i.item_id) ?? 0) >= 2).map((i) => i.agreement);
    const v = judgeBatch(answersByItem(categorical, answers), { answers: gold.n, correct: gold.correct }, policy, structured);
    await qaBatches.close(em, projectId, batch, {
      passed: v.passed,
      kappa: v.kappa,
      goldAnswers: gold.n,
      goldCorrect: gold.correct,
      reason: v.reason,
      policyVersion: policy.version,
      minKappa: policy.minBatchKappa,
      minGoldAccuracy: policy.minBatchGoldAccuracy,
    });
    this.batches.inc({ outcome: v.passed ? 'passed' : 'failed' });
    for (const i of items) {
      if (v.passed) {
        await this.accept(
          em,
          i.item_id,
          projectId,
          i.round,
          { label: i.final_label, confidence: i.confidence, agreement: i.agreement, method: i.method },
          policy.version,
          traceparent,
        );
      } else {
        await this.rework(em, i.item_id, projectId, i.round, `batch ${batch} failed: ${v.reason}`, traceparent);
      }
    }
  }

  private async recordEstimates(em: EntityManager, projectId: string, estimated: EstimatedAccuracy): Promise<void> {
    await qaAnnotators.setEstimates(
      em,
      projectId,
      [...estimated].map(([annotatorId, e]) => ({ annotatorId, accuracy: e.accuracy, count: e.count })),
    );
  }

  /**
   * Pauses an annotator once the evidence says their accuracy is below the floor (once per
   * pause: a resumed annotator is measured again from the counts at the resume).
   */
  private async checkPause(em: EntityManager, projectId: string, annotatorId: string, p: ProjectPolicy, traceparent?: string): Promise<void> {
    const a = await qaAnnotators.pauseEvidence(em, projectId, annotatorId);
    if (!a) return;
    const pause = pauseDecision(a, p);
    if (!pause) return;
    const { reason, accuracy } = pause;
    await qaAnnotators.pause(em, projectId, annotatorId);
    await appendAudit(em, { actor: 'qa', action: 'annotator.paused', subject: `${projectId}/${annotatorId}`, detail: { reason, accuracy } });
    await this.outbox.emit(em, {
      topic: Topics.annotatorPaused,
      key: annotatorId,
      schema: AnnotatorPausedSchema,
      id: pausedEventId(projectId, annotatorId, a.pause_epoch),
      traceparent,
      message: { annotatorId, projectId, reason, accuracy, pausedAt: timestampFromDate(new Date()) },
    });
  }
}

/** The text of a free-text label ('' for any other). */
function textOf(label: Label | undefined): string {
  return label?.value.case === 'text' ? label.value.value : '';
}

/**
 * The label an accepted key stands for: the answer that gave it (a reviewer's first, so a
 * reviewed free text keeps the reviewer's spelling), or, for a consensus no single answer gave
 * (spans, boxes, multi-label classes), the label rebuilt from its canonical key.
 */
export function consensusLabel(answers: readonly RoundAnswerRow[], key: string): Label {
  const given = answers.find((a) => a.review && a.label_key === key) ?? answers.find((a) => a.label_key === key);
  const label = given ? labelOf(given) : labelFromKey(key);
  if (!label) throw new Error(`no label for accepted key ${key.slice(0, 40)}`);
  return label;
}

/**
 * The annotators whose answers agree with an accepted label: spans and boxes with F1 at least
 * 0.8 against it, every other kind when equal to it (free text after normalising).
 */
export function agreeingWith(answers: readonly RoundAnswerRow[], label: Label): string[] {
  return answers.filter((a) => goldCorrect(labelOf(a), label)).map((a) => a.annotator_id);
}
