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
  Trigger,
} from '@labelloop/contracts';
import type { Outbox } from '@labelloop/messaging';
import type { Metrics } from '@labelloop/observability';
import { appendAudit, DataSource, EntityManager, queryRows } from '@labelloop/persistence';
import { failedPrecondition, notFound, permissionDenied, RpcError, status } from '@labelloop/rpc';
import { CONFIG, DATA_SOURCE, METRICS, OUTBOX } from '@labelloop/runtime';
import { Counter } from 'prom-client';
import type { DispatchConfig } from '../dispatch.config';
import { checkLabel, ProjectLabelSchema } from '../labels/label-schema';
import { pauseRefusal, QaPause } from './qa-pause';
import { annotatorText } from './redaction';
import { assertTransition, TaskState } from './task-state';

interface TaskRow {
  task_id: string;
  item_id: string;
  project_id: string;
  kind: string;
  state: TaskState;
  annotator_id: string | null;
  lease_expires_at: Date | null;
  required_answers: number;
  guideline_version: string;
  request: Buffer;
  traceparent: string | null;
}

/**
 * SQL condition: the annotator (bind parameter `annotator`) was never given the item and is
 * excluded from none of its tasks. Checked over all the item's tasks, not one: a task whose
 * lease lapsed is re-leased to someone else and no longer names the lapsed annotator, but
 * carries her in `exclude_annotators`, and the item's sibling tasks must not go to her either.
 */
export const notGivenBefore = (itemColumn: string, annotator: string): string =>
  `NOT EXISTS (SELECT 1 FROM annotation_task o WHERE o.item_id = ${itemColumn} AND (o.annotator_id = ${annotator} OR ${annotator} = ANY (o.exclude_annotators)))`;

/** A submission as the annotator sent it. */
export interface SubmitInput {
  taskId: string;
  label: Label | undefined;
  timeSpentMs: number;
  idempotencyKey: string;
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

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CONFIG) private readonly config: DispatchConfig,
    @Inject(METRICS) metrics: Metrics,
  ) {
    this.refusals = new Counter({ name: 'labelloop_dispatch_answers_refused_total', help: 'Answers refused before they were stored (paused annotator), by path', labelNames: ['reason', 'via'], registers: [metrics.registry] });
  }

  /** Why the annotator may not work or answer in the project now ({@link pauseRefusal}), or undefined. */
  async pauseRefusal(em: EntityManager, projectId: string, annotatorId: string): Promise<string | undefined> {
    const [pause] = await queryRows<QaPause>(em, 'SELECT reason FROM annotator_pause WHERE project_id = $1 AND annotator_id = $2', [projectId, annotatorId]);
    return pauseRefusal(projectId, pause);
  }

  /** The label schema every project of this deployment uses. */
  get schema(): ProjectLabelSchema {
    return { kind: 'classification', classes: this.config.DISPATCH_LABEL_CLASSES, multiLabel: this.config.DISPATCH_MULTI_LABEL };
  }

  /**
   * The caller's current lease in the project, or the next task it may see: highest
   * priority first, never an item it has already been given, never others' answers.
   * A task whose lease expired returns to the queue here.
   */
  async nextTask(annotatorId: string, projectId: string): Promise<Task | undefined> {
    return this.ds.transaction(async (em) => {
      const paused = await this.pauseRefusal(em, projectId, annotatorId);
      if (paused) throw failedPrecondition(paused);
      const own: TaskRow[] = await em.query(
        `SELECT * FROM annotation_task WHERE project_id = $1 AND annotator_id = $2 AND state = 'leased' AND lease_expires_at > now() LIMIT 1`,
        [projectId, annotatorId],
      );
      if (own.length > 0) return this.toTask(own[0]);
      const gold = await this.injectGold(em, annotatorId, projectId);
      if (gold) return this.toTask(gold);
      const [picked]: TaskRow[] = await em.query(
        `SELECT * FROM annotation_task t
          WHERE t.project_id = $1
            AND (t.state = 'pending' OR (t.state = 'leased' AND t.lease_expires_at <= now()))
            AND ${notGivenBefore('t.item_id', '$2')}
          ORDER BY t.priority DESC, t.created_at
          LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [projectId, annotatorId],
      );
      if (!picked) return undefined;
      assertTransition(picked.state, 'leased');
      // An annotator whose lease lapsed does not get the item back.
      const exclude = picked.state === 'leased' && picked.annotator_id ? [picked.annotator_id] : [];
      const [row] = await queryRows<TaskRow>(
        em,
        `UPDATE annotation_task
            SET state = 'leased', annotator_id = $2, lease_expires_at = now() + make_interval(secs => $3),
                exclude_annotators = exclude_annotators || $4::text[], updated_at = now()
          WHERE task_id = $1 RETURNING *`,
        [picked.task_id, annotatorId, this.config.DISPATCH_LEASE_SECONDS, exclude],
      );
      await this.logTransition(em, picked.task_id, picked.state, 'leased', annotatorId, exclude.length ? 'lease expired' : undefined);
      return this.toTask(row);
    });
  }

  /**
   * Every round(1/DISPATCH_GOLD_RATE)-th task of an annotator in a project is a gold item they
   * have not had yet, leased to them as an ordinary-looking task (kind `gold`: no pre-label).
   */
  private async injectGold(em: EntityManager, annotatorId: string, projectId: string): Promise<TaskRow | undefined> {
    const rate = this.config.DISPATCH_GOLD_RATE;
    if (rate <= 0) return undefined;
    const every = Math.max(2, Math.round(1 / rate));
    const [{ n }] = await queryRows<{ n: number }>(em, 'SELECT count(*)::int AS n FROM annotation_task WHERE project_id = $1 AND annotator_id = $2', [projectId, annotatorId]);
    if ((n + 1) % every !== 0) return undefined;
    const [g] = await queryRows<{ item_id: string; input_uri: string }>(
      em,
      `SELECT item_id, input_uri FROM gold_item g WHERE g.project_id = $1
          AND ${notGivenBefore('g.item_id', '$2')}
        ORDER BY md5(g.item_id || $2) LIMIT 1`,
      [projectId, annotatorId],
    );
    if (!g) return undefined;
    // The id looks like every other task's; the private key is what ties it to the gold item.
    const taskId = randomUUID();
    const taskKey = `${g.item_id}#gold-${createHash('sha256').update(annotatorId).digest('hex').slice(0, 12)}`;
    const request = Buffer.from(toBinary(AnnotationRequestedSchema, create(AnnotationRequestedSchema, { itemId: g.item_id, projectId, inputUri: g.input_uri })));
    const [row] = await queryRows<TaskRow>(
      em,
      `INSERT INTO annotation_task (task_id, task_key, item_id, project_id, kind, state, annotator_id, lease_expires_at, required_answers, guideline_version, request)
       VALUES ($1, $8, $2, $3, 'gold', 'leased', $4, now() + make_interval(secs => $5), 1, $6, $7) RETURNING *`,
      [taskId, g.item_id, projectId, annotatorId, this.config.DISPATCH_LEASE_SECONDS, this.config.DISPATCH_GUIDELINE_VERSION, request, taskKey],
    );
    await this.logTransition(em, taskId, null, 'pending', 'gold', 'gold item injected');
    await this.logTransition(em, taskId, 'pending', 'leased', annotatorId);
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
    return this.ds.transaction((em) => this.submitIn(em, annotatorId, projectScope, input));
  }

  /** {@link submit} inside the caller's transaction (external platforms record their own id with it). */
  async submitIn(em: EntityManager, annotatorId: string, projectScope: (projectId: string) => void, input: SubmitInput): Promise<{ submissionId: string; duplicate: boolean }> {
    const [task]: TaskRow[] = await em.query('SELECT * FROM annotation_task WHERE task_id = $1 FOR UPDATE', [input.taskId]);
    if (!task) throw notFound(`task ${input.taskId}`);
    projectScope(task.project_id);
    const [prev]: { submission_id: string; annotator_id: string; idempotency_key: string | null }[] = await em.query(
      'SELECT submission_id, annotator_id, idempotency_key FROM submission WHERE task_id = $1',
      [input.taskId],
    );
    if (prev) {
      if (prev.annotator_id === annotatorId && input.idempotencyKey && prev.idempotency_key === input.idempotencyKey) {
        return { submissionId: prev.submission_id, duplicate: true };
      }
      throw new RpcError(status.ALREADY_EXISTS, `task ${input.taskId} already has a submission`);
    }
    const paused = await this.pauseRefusal(em, task.project_id, annotatorId);
    if (paused) {
      this.refusals.inc({ reason: 'paused', via: 'api' });
      throw failedPrecondition(paused);
    }
    if (task.annotator_id !== annotatorId) {
      if (task.state === 'leased') throw failedPrecondition(`task ${input.taskId} is leased to another annotator (your lease expired)`);
      throw permissionDenied(`task ${input.taskId} is not leased to you`);
    }
    assertTransition(task.state, 'submitted');
    checkLabel(input.label, this.schema);

    const request = fromBinary(AnnotationRequestedSchema, task.request);
    const submissionId = `sub-${createHash('sha256').update(`${input.taskId}|${annotatorId}`).digest('hex').slice(0, 24)}`;
    const label = input.label!;
    const preLabelAccepted = this.matchesPreLabel(label, request);
    const [gold] = task.kind === 'gold' ? await queryRows<{ answer: Buffer }>(em, 'SELECT answer FROM gold_item WHERE project_id = $1 AND item_id = $2', [task.project_id, task.item_id]) : [];
    await em.query(
      `INSERT INTO submission (submission_id, task_id, item_id, annotator_id, label, idempotency_key, pre_label_accepted, time_spent_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [submissionId, task.task_id, task.item_id, annotatorId, Buffer.from(toBinary(LabelPb, label)), input.idempotencyKey || null, preLabelAccepted, input.timeSpentMs],
    );
    await em.query(`UPDATE annotation_task SET state = 'submitted', updated_at = now() WHERE task_id = $1`, [task.task_id]);
    await this.logTransition(em, task.task_id, task.state, 'submitted', annotatorId);
    await appendAudit(em, { actor: annotatorId, action: 'label.submitted', subject: task.task_id, detail: { itemId: task.item_id, submissionId, classes: label.value.case === 'classification' ? label.value.value.classes : [] } });
    await this.outbox.emit(em, {
      topic: Topics.annotationSubmitted,
      key: task.item_id,
      schema: AnnotationSubmittedSchema,
      id: `annotation-submitted:${submissionId}`,
      // The item's journey is one trace: continue the trace the request arrived with.
      traceparent: task.traceparent ?? undefined,
      message: {
        submissionId,
        taskId: task.task_id,
        itemId: task.item_id,
        projectId: task.project_id,
        annotatorId,
        label,
        requiredAnswers: task.required_answers,
        gold: task.kind === 'gold',
        goldLabel: gold ? fromBinary(LabelPb, gold.answer) : undefined,
        preLabelAccepted,
        timeSpentMs: input.timeSpentMs,
        guidelineVersion: task.guideline_version,
        submittedAt: timestampFromDate(new Date()),
        modelId: request.modelId,
        modelVersion: request.modelVersion,
        trigger: Trigger[request.trigger],
        strategy: request.strategy,
        sourceEventId: request.sourceEventId,
        inputUri: request.inputUri,
        contentHash: request.contentHash,
        auditSample: request.auditSample,
        modelProbabilities: request.preLabel?.classProbabilities ?? {},
        features: request.features,
      },
    });
    return { submissionId, duplicate: false };
  }

  private matchesPreLabel(label: Label, request: AnnotationRequested): boolean {
    const predicted = request.preLabel?.predictedLabel;
    return label.value.case === 'classification' && label.value.value.classes.length === 1 && label.value.value.classes[0] === predicted;
  }

  private toTask(row: TaskRow): Task {
    const request = fromBinary(AnnotationRequestedSchema, row.request);
    // Blind overlap and gold tasks hide the model's suggestion.
    const showPreLabel = row.kind === 'label' || row.kind === 'rework';
    return create(TaskSchema, {
      taskId: row.task_id,
      itemId: row.item_id,
      projectId: row.project_id,
      inputUri: annotatorText(request.inputUri, row.project_id, this.config.DISPATCH_PII_REDACTION_OFF),
      preLabel: showPreLabel ? (request.preLabel?.predictedLabel ?? '') : '',
      preLabelProbabilities: showPreLabel ? (request.preLabel?.classProbabilities ?? {}) : {},
      guidelineVersion: row.guideline_version,
      leaseExpiresAt: row.lease_expires_at ? timestampFromDate(new Date(row.lease_expires_at)) : undefined,
    });
  }

  private async logTransition(em: { query: DataSource['query'] }, taskId: string, from: TaskState | null, to: TaskState, actor: string, reason?: string): Promise<void> {
    await em.query('INSERT INTO task_transition (task_id, from_state, to_state, actor, reason) VALUES ($1, $2, $3, $4, $5)', [taskId, from, to, actor, reason ?? null]);
  }
}
