import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AnnotationRequested,
  AnnotationRequestedSchema,
  AnnotationSubmittedSchema,
  Label,
  LabelSchema as LabelPb,
  Task,
  TaskSchema,
  Topics,
  isMachineAnnotator,
} from '@labelloop/contracts';
import type { Outbox } from '@labelloop/messaging';
import type { Metrics } from '@labelloop/observability';
import { appendAudit, DataSource, EntityManager } from '@labelloop/persistence';
import { failedPrecondition, notFound, RpcError, status } from '@labelloop/rpc';
import { CONFIG, DATA_SOURCE, METRICS, OUTBOX } from '@labelloop/runtime';
import { Counter } from 'prom-client';
import { annotatorView } from '../content/annotator-view';
import { ContentResolver } from '../content/content.resolver';
import type { DispatchConfig } from '../dispatch.config';
import { checkLabel, isTextTask } from '../labels/label-schema';
import { LabelSchemaStore } from '../labels/label-schema.store';
import { AnnotationTaskRow, annotationTasks } from '../repositories/annotation-task.repository';
import { annotatorPauses } from '../repositories/annotator-pause.repository';
import { goldItems } from '../repositories/gold-item.repository';
import { submissions } from '../repositories/submission.repository';
import { taskTransitions } from '../repositories/task-transition.repository';
import { goldInterval, goldTaskKey, isGoldTurn } from './gold-injection';
import { pauseRefusal } from './qa-pause';
import { annotatorText } from './redaction';
import { holderRefusal, isRetryOf, lapsedHolders, releasedState } from './task-rules';
import { submittedEvent } from './submitted-event';
import { assertTransition } from './task-state';

/** A submission as the annotator sent it. */
export interface SubmitInput {
  taskId: string;
  label: Label | undefined;
  timeSpentMs: number;
  idempotencyKey: string;
  /**
   * The item's text exactly as the annotator saw it, when the caller knows it (Label Studio's
   * task data); otherwise it is resolved and redacted here for text task types.
   */
  contentText?: string;
}

/**
 * Leases tasks to annotators and records their answers. Every state change goes through the
 * state machine and is logged in task_transition; a submission and its AnnotationSubmitted
 * event commit together.
 */
@Injectable()
export class TaskService {
  /** Answers refused before they were stored, by reason and by the path they came through. */
  readonly refusals: Counter<'reason' | 'via'>;
  /** Project label schemas by version (the task's version decides what an answer may be). */
  readonly schemas: LabelSchemaStore;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CONFIG) private readonly config: DispatchConfig,
    @Inject(METRICS) metrics: Metrics,
    private readonly content: ContentResolver,
  ) {
    this.refusals = new Counter({
      name: 'labelloop_dispatch_answers_refused_total',
      help: 'Answers refused before they were stored (paused annotator), by path',
      labelNames: ['reason', 'via'],
      registers: [metrics.registry],
    });
    this.schemas = new LabelSchemaStore(config);
  }

  /** Why the annotator may not work or answer in the project now ({@link pauseRefusal}), or undefined. */
  async pauseRefusal(em: EntityManager, projectId: string, annotatorId: string): Promise<string | undefined> {
    return pauseRefusal(projectId, await annotatorPauses.of(em, projectId, annotatorId));
  }

  /**
   * The caller's current lease in the project, or the next task it may see: highest
   * priority first, never an item it has already been given, never others' answers.
   * A task whose lease expired returns to the queue here.
   */
  async nextTask(annotatorId: string, projectId: string): Promise<Task | undefined> {
    const row = await this.ds.transaction(async (em) => {
      const paused = await this.pauseRefusal(em, projectId, annotatorId);
      if (paused) throw failedPrecondition(paused);
      const own = await annotationTasks.currentLease(em, projectId, annotatorId);
      if (own) return own;
      const gold = await this.injectGold(em, annotatorId, projectId);
      if (gold) return gold;
      const picked = await annotationTasks.lockNextFor(em, projectId, annotatorId);
      if (!picked) return undefined;
      assertTransition(picked.state, 'leased');
      const exclude = lapsedHolders(picked);
      const leased = await annotationTasks.lease(em, picked.task_id, annotatorId, this.config.DISPATCH_LEASE_SECONDS, exclude);
      await taskTransitions.log(em, picked.task_id, picked.state, 'leased', annotatorId, exclude.length ? 'lease expired' : undefined);
      return leased;
    });
    // The content is resolved after the lease committed: a slow content source holds no locks.
    return row && this.toTask(row);
  }

  /**
   * Every round(1/DISPATCH_GOLD_RATE)-th task of an annotator in a project is a gold item they
   * have not had yet, leased to them as an ordinary-looking task (kind `gold`: no pre-label).
   */
  private async injectGold(em: EntityManager, annotatorId: string, projectId: string): Promise<AnnotationTaskRow | undefined> {
    const every = goldInterval(this.config.DISPATCH_GOLD_RATE);
    if (every === undefined) return undefined;
    if (!isGoldTurn(await annotationTasks.countGiven(em, projectId, annotatorId), every)) return undefined;
    const g = await goldItems.nextFor(em, projectId, annotatorId);
    if (!g) return undefined;
    // The id looks like every other task's; the private key is what ties it to the gold item.
    const taskId = randomUUID();
    const request = Buffer.from(
      toBinary(AnnotationRequestedSchema, create(AnnotationRequestedSchema, { itemId: g.item_id, projectId, inputUri: g.input_uri })),
    );
    const row = await annotationTasks.insertLeasedGold(em, {
      taskId,
      taskKey: goldTaskKey(g.item_id, annotatorId),
      itemId: g.item_id,
      projectId,
      annotatorId,
      leaseSeconds: this.config.DISPATCH_LEASE_SECONDS,
      guidelineVersion: this.config.DISPATCH_GUIDELINE_VERSION,
      request,
    });
    await taskTransitions.log(em, taskId, null, 'pending', 'gold', 'gold item injected');
    await taskTransitions.log(em, taskId, 'pending', 'leased', annotatorId);
    return row;
  }

  /**
   * Stores an answer. Retrying with the same idempotency key returns the first result. A
   * submission after the lease expired is accepted only while nobody else has taken the task
   * (the lease returns to the queue lazily); once re-leased, the late answer is refused with
   * FAILED_PRECONDITION. Either way the outcome depends only on the stored state. An annotator QA
   * paused in the task's project is refused (FAILED_PRECONDITION) even with a lease taken before
   * the pause; a retry of an answer stored before the pause still returns the first result.
   */
  async submit(annotatorId: string, projectScope: (projectId: string) => void, input: SubmitInput): Promise<{ submissionId: string; duplicate: boolean }> {
    // The text is resolved before the transaction: a slow content source holds no locks.
    const contentText = input.contentText ?? (await this.shownText(input.taskId));
    return this.ds.transaction((em) => this.submitIn(em, annotatorId, projectScope, { ...input, contentText }));
  }

  /**
   * The text the annotator of a text task type (spans, text, preference) was shown: the item's
   * content resolved as text and redacted as in {@link toTask}; undefined for other task types,
   * an unknown task, or content that could not be resolved.
   */
  private async shownText(taskId: string): Promise<string | undefined> {
    const task = await annotationTasks.find(this.ds, taskId);
    if (!task || !isTextTask(await this.schemas.of(this.ds, task.project_id, task.schema_version))) return undefined;
    const request = fromBinary(AnnotationRequestedSchema, task.request);
    const view = annotatorView(await this.content.resolve(task.item_id, request.inputUri, 'text'), task.project_id, this.config.DISPATCH_PII_REDACTION_OFF);
    return view.note ? undefined : view.text;
  }

  /** {@link submit} inside the caller's transaction (external platforms record their own id with it). */
  async submitIn(
    em: EntityManager,
    annotatorId: string,
    projectScope: (projectId: string) => void,
    input: SubmitInput,
  ): Promise<{ submissionId: string; duplicate: boolean }> {
    const task = await annotationTasks.lock(em, input.taskId);
    if (!task) throw notFound(`task ${input.taskId}`);
    projectScope(task.project_id);
    const prev = await submissions.ofTask(em, input.taskId);
    if (prev) {
      if (isRetryOf(prev, annotatorId, input.idempotencyKey)) return { submissionId: prev.submission_id, duplicate: true };
      throw new RpcError(status.ALREADY_EXISTS, `task ${input.taskId} already has a submission`);
    }
    const paused = await this.pauseRefusal(em, task.project_id, annotatorId);
    if (paused) {
      this.refusals.inc({ reason: 'paused', via: 'api' });
      throw failedPrecondition(paused);
    }
    const refusal = holderRefusal(task, annotatorId);
    if (refusal) throw refusal;
    assertTransition(task.state, 'submitted');
    const request = fromBinary(AnnotationRequestedSchema, task.request);
    const schema = await this.schemas.of(em, task.project_id, task.schema_version);
    const contentText = isTextTask(schema) ? (input.contentText ?? '') : '';
    checkLabel(input.label, schema, {
      textLength: schema.kind === 'spans' && input.contentText !== undefined ? input.contentText.length : undefined,
      imageWidth: request.imageWidth,
      imageHeight: request.imageHeight,
    });

    const submissionId = `sub-${createHash('sha256').update(`${input.taskId}|${annotatorId}`).digest('hex').slice(0, 24)}`;
    const label = input.label;
    const preLabelAccepted = this.matchesPreLabel(label, request);
    const goldAnswer = task.kind === 'gold' ? await goldItems.answerOf(em, task.project_id, task.item_id) : undefined;
    await submissions.insert(em, {
      submissionId,
      taskId: task.task_id,
      itemId: task.item_id,
      annotatorId,
      label: Buffer.from(toBinary(LabelPb, label)),
      idempotencyKey: input.idempotencyKey || null,
      preLabelAccepted,
      timeSpentMs: input.timeSpentMs,
    });
    await annotationTasks.markSubmitted(em, task.task_id);
    await taskTransitions.log(em, task.task_id, task.state, 'submitted', annotatorId);
    await appendAudit(em, {
      actor: annotatorId,
      action: 'label.submitted',
      subject: task.task_id,
      detail: {
        itemId: task.item_id,
        submissionId,
        classes: label.value.case === 'classification' ? label.value.value.classes : [],
        machine: isMachineAnnotator(annotatorId),
      },
    });
    await this.outbox.emit(em, {
      topic: Topics.annotationSubmitted,
      key: task.item_id,
      schema: AnnotationSubmittedSchema,
      id: `annotation-submitted:${submissionId}`,
      // The item's journey is one trace: continue the trace the request arrived with.
      traceparent: task.traceparent ?? undefined,
      message: submittedEvent(task, request, {
        submissionId,
        annotatorId,
        label,
        goldLabel: goldAnswer ? fromBinary(LabelPb, goldAnswer) : undefined,
        preLabelAccepted,
        timeSpentMs: input.timeSpentMs,
        contentText,
      }),
    });
    return { submissionId, duplicate: false };
  }

  /**
   * Stores an edit of a stored answer (made in Label Studio after submitting) as a new submission
   * of the same task and annotator that supersedes it, and emits its AnnotationSubmitted with
   * `supersedes_submission_id`, in the caller's transaction. The label is checked against the
   * task's schema version like any answer. `submissionId` is the caller's deterministic id of the
   * edit; an edit stored before (same id) returns `duplicate` and writes nothing.
   */
  async supersedeIn(
    em: EntityManager,
    e: { supersedes: string; submissionId: string; label: Label | undefined; timeSpentMs: number; contentText?: string },
  ): Promise<{ submissionId: string; duplicate: boolean }> {
    if (await submissions.byId(em, e.submissionId)) return { submissionId: e.submissionId, duplicate: true };
    const prev = await submissions.byId(em, e.supersedes);
    if (!prev) throw notFound(`submission ${e.supersedes}`);
    const task = await annotationTasks.lock(em, prev.task_id);
    if (!task) throw notFound(`task ${prev.task_id}`);
    const request = fromBinary(AnnotationRequestedSchema, task.request);
    const schema = await this.schemas.of(em, task.project_id, task.schema_version);
    checkLabel(e.label, schema, {
      textLength: schema.kind === 'spans' ? e.contentText?.length : undefined,
      imageWidth: request.imageWidth,
      imageHeight: request.imageHeight,
    });
    const label = e.label;
    const preLabelAccepted = this.matchesPreLabel(label, request);
    await submissions.insert(em, {
      submissionId: e.submissionId,
      taskId: task.task_id,
      itemId: task.item_id,
      annotatorId: prev.annotator_id,
      label: Buffer.from(toBinary(LabelPb, label)),
      idempotencyKey: null,
      preLabelAccepted,
      timeSpentMs: e.timeSpentMs,
      supersedesSubmissionId: e.supersedes,
    });
    await appendAudit(em, {
      actor: prev.annotator_id,
      action: 'label.edited',
      subject: task.task_id,
      detail: { itemId: task.item_id, submissionId: e.submissionId, supersedes: e.supersedes, machine: isMachineAnnotator(prev.annotator_id) },
    });
    const goldAnswer = task.kind === 'gold' ? await goldItems.answerOf(em, task.project_id, task.item_id) : undefined;
    await this.outbox.emit(em, {
      topic: Topics.annotationSubmitted,
      key: task.item_id,
      schema: AnnotationSubmittedSchema,
      id: `annotation-submitted:${e.submissionId}`,
      traceparent: task.traceparent ?? undefined,
      message: submittedEvent(task, request, {
        submissionId: e.submissionId,
        annotatorId: prev.annotator_id,
        label,
        goldLabel: goldAnswer ? fromBinary(LabelPb, goldAnswer) : undefined,
        preLabelAccepted,
        timeSpentMs: e.timeSpentMs,
        contentText: isTextTask(schema) ? (e.contentText ?? '') : '',
        supersedesSubmissionId: e.supersedes,
      }),
    });
    return { submissionId: e.submissionId, duplicate: false };
  }

  /**
   * Gives the caller's leased task back unanswered ({@link releasedState}): it is free for others
   * at once, not after the lease lapses, and the caller never gets the item again. Refused like
   * an answer when the task is not (or no longer) the caller's lease.
   */
  async release(annotatorId: string, projectScope: (projectId: string) => void, taskId: string, reason: string): Promise<void> {
    await this.ds.transaction(async (em) => {
      const task = await annotationTasks.lock(em, taskId);
      if (!task) throw notFound(`task ${taskId}`);
      projectScope(task.project_id);
      const refusal = holderRefusal(task, annotatorId);
      if (refusal) throw refusal;
      if (task.state !== 'leased') throw failedPrecondition(`task ${taskId} is ${task.state}, not leased`);
      const to = releasedState(task.kind);
      await annotationTasks.release(em, taskId, annotatorId, to);
      await taskTransitions.log(em, taskId, 'leased', to, annotatorId, `released: ${reason.slice(0, 200) || 'no reason given'}`);
    });
  }

  private matchesPreLabel(label: Label, request: AnnotationRequested): boolean {
    const predicted = request.preLabel?.predictedLabel;
    return label.value.case === 'classification' && label.value.value.classes.length === 1 && label.value.value.classes[0] === predicted;
  }

  /** The task as the annotator gets it: redacted URI, its content (text or a URL, or a note), the pre-label where shown. */
  private async toTask(row: AnnotationTaskRow): Promise<Task> {
    const request = fromBinary(AnnotationRequestedSchema, row.request);
    // Text task types show the (redacted) text itself: span offsets and the text an answer is
    // about must be the text the service knows, not a page the browser loaded.
    const use = isTextTask(await this.schemas.of(this.ds, row.project_id, row.schema_version)) ? 'text' : 'url';
    const view = annotatorView(await this.content.resolve(row.item_id, request.inputUri, use), row.project_id, this.config.DISPATCH_PII_REDACTION_OFF);
    // Blind overlap and gold tasks hide the model's suggestion.
    const showPreLabel = row.kind === 'label' || row.kind === 'rework';
    return create(TaskSchema, {
      taskId: row.task_id,
      itemId: row.item_id,
      projectId: row.project_id,
      inputUri: annotatorText(request.inputUri, row.project_id, this.config.DISPATCH_PII_REDACTION_OFF),
      contentText: view.text,
      contentUrl: view.url,
      contentNote: view.note,
      preLabel: showPreLabel ? (request.preLabel?.predictedLabel ?? '') : '',
      preLabelProbabilities: showPreLabel ? (request.preLabel?.classProbabilities ?? {}) : {},
      guidelineVersion: row.guideline_version,
      leaseExpiresAt: row.lease_expires_at ? timestampFromDate(new Date(row.lease_expires_at)) : undefined,
    });
  }
}
