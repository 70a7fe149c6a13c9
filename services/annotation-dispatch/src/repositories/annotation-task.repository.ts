import { Queryable, queryRows } from '@labelloop/persistence';
import type { TaskState } from '../tasks/task-state';
import { latestSchemaVersion } from './label-schema.repository';

/** An `annotation_task` row. */
export interface AnnotationTaskRow {
  task_id: string;
  /** Private identity (`<item>#<n>`, `<item>#gold-…`, `<item>#rework-…`) that makes creation idempotent. */
  task_key: string;
  item_id: string;
  project_id: string;
  kind: string;
  state: TaskState;
  priority: number;
  annotator_id: string | null;
  lease_expires_at: Date | null;
  required_answers: number;
  guideline_version: string;
  exclude_annotators: string[];
  /** AnnotationRequested, protobuf-encoded. */
  request: Buffer;
  traceparent: string | null;
  /** The project's label schema version when the task was created (0 = the deployment default). */
  schema_version: number;
  created_at: Date;
  updated_at: Date;
}

/** The k overlap tasks of requested items, column by column (one array entry per task). */
export interface RequestedTasks {
  taskKeys: string[];
  itemIds: string[];
  projectIds: string[];
  priorities: number[];
  requests: Buffer[];
  traceparents: (string | null)[];
}

/** A task queued after QA's verdict on an item: a rework task, or one more overlap task. */
export interface FollowUpTask {
  taskKey: string;
  itemId: string;
  kind: 'rework' | 'label';
  priorityBoost: number;
  /** The answers QA waits for on the item, carried on the task's submission. */
  requiredAnswers: number;
  excludeAnnotatorIds: string[];
  traceparent: string | null;
  /** The task's AnnotationRequested (protobuf bytes) when it differs from the item's first task's (a review's pre-label). */
  request?: Buffer;
}

/** A gold task leased straight to its annotator. */
export interface LeasedGoldTask {
  taskId: string;
  taskKey: string;
  itemId: string;
  projectId: string;
  annotatorId: string;
  leaseSeconds: number;
  guidelineVersion: string;
  request: Buffer;
}

/** One project's queue figures, read in one statement (one snapshot). */
export interface QueueStatsRow {
  /** Pending, or leased with the lease lapsed: what an annotator may be given now. */
  waiting: number;
  /** Leased with the lease still running. */
  leased: number;
  oldest_waiting_since: Date | null;
  next_lease_expiry: Date | null;
  /** Answers stored for the project's tasks in the hour before `as_of`. */
  submitted_last_hour: number;
  as_of: Date;
}

/**
 * SQL condition: the annotator (bind parameter `annotator`) was never given the item and is
 * excluded from none of its tasks. Checked over all the item's tasks, not one: a task whose
 * lease lapsed is re-leased to someone else and no longer names the lapsed annotator, but
 * carries her in `exclude_annotators`, and the item's sibling tasks must not go to her either.
 */
export const notGivenBefore = (itemColumn: string, annotator: string): string =>
  `NOT EXISTS (SELECT 1 FROM annotation_task o WHERE o.item_id = ${itemColumn} AND (o.annotator_id = ${annotator} OR ${annotator} = ANY (o.exclude_annotators)))`;

/** `annotation_task`: the tasks of each item, from pending through leased and submitted to a final state. */
export const annotationTasks = {
  /** The annotator's unexpired lease in the project, if any. */
  async currentLease(q: Queryable, projectId: string, annotatorId: string): Promise<AnnotationTaskRow | undefined> {
    const own = await queryRows<AnnotationTaskRow>(
      q,
      `SELECT * FROM annotation_task WHERE project_id = $1 AND annotator_id = $2 AND state = 'leased' AND lease_expires_at > now() LIMIT 1`,
      [projectId, annotatorId],
    );
    return own[0];
  },

  /**
   * Locks the project's next task the annotator may see (pending, or leased with the lease
   * lapsed; never an item she was given before): highest priority first, then oldest.
   */
  async lockNextFor(q: Queryable, projectId: string, annotatorId: string): Promise<AnnotationTaskRow | undefined> {
    const [picked] = await queryRows<AnnotationTaskRow>(
      q,
      `SELECT * FROM annotation_task t
          WHERE t.project_id = $1
            AND (t.state = 'pending' OR (t.state = 'leased' AND t.lease_expires_at <= now()))
            AND ${notGivenBefore('t.item_id', '$2')}
          ORDER BY t.priority DESC, t.created_at
          LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [projectId, annotatorId],
    );
    return picked;
  },

  /** Leases the task for `leaseSeconds`, keeping `exclude` (lapsed annotators) away from it; returns the leased row. */
  async lease(q: Queryable, taskId: string, annotatorId: string, leaseSeconds: number, exclude: string[]): Promise<AnnotationTaskRow> {
    const [row] = await queryRows<AnnotationTaskRow>(
      q,
      `UPDATE annotation_task
            SET state = 'leased', annotator_id = $2, lease_expires_at = now() + make_interval(secs => $3),
                exclude_annotators = exclude_annotators || $4::text[], updated_at = now()
          WHERE task_id = $1 RETURNING *`,
      [taskId, annotatorId, leaseSeconds, exclude],
    );
    return row;
  },

  /** How many tasks of the project the annotator has been given. */
  async countGiven(q: Queryable, projectId: string, annotatorId: string): Promise<number> {
    const [{ n }] = await queryRows<{ n: number }>(q, 'SELECT count(*)::int AS n FROM annotation_task WHERE project_id = $1 AND annotator_id = $2', [
      projectId,
      annotatorId,
    ]);
    return n;
  },

  /** Inserts a gold task already leased to its annotator; returns the row. */
  async insertLeasedGold(q: Queryable, g: LeasedGoldTask): Promise<AnnotationTaskRow> {
    const [row] = await queryRows<AnnotationTaskRow>(
      q,
      `INSERT INTO annotation_task (task_id, task_key, item_id, project_id, kind, state, annotator_id, lease_expires_at, required_answers, guideline_version, request, schema_version)
       VALUES ($1, $8, $2, $3, 'gold', 'leased', $4, now() + make_interval(secs => $5), 1, $6, $7, ${latestSchemaVersion('$3')}) RETURNING *`,
      [g.taskId, g.itemId, g.projectId, g.annotatorId, g.leaseSeconds, g.guidelineVersion, g.request, g.taskKey],
    );
    return row;
  },

  /** The project and schema version of the task a submission answered. */
  async schemaOfSubmission(q: Queryable, submissionId: string): Promise<Pick<AnnotationTaskRow, 'project_id' | 'schema_version'>> {
    const [row] = await queryRows<Pick<AnnotationTaskRow, 'project_id' | 'schema_version'>>(
      q,
      'SELECT t.project_id, t.schema_version FROM submission s JOIN annotation_task t ON t.task_id = s.task_id WHERE s.submission_id = $1',
      [submissionId],
    );
    return row;
  },

  /** The task as it stands (not locked). */
  async find(q: Queryable, taskId: string): Promise<AnnotationTaskRow | undefined> {
    const [task] = await queryRows<AnnotationTaskRow>(q, 'SELECT * FROM annotation_task WHERE task_id = $1', [taskId]);
    return task;
  },

  /** The task, locked for an update in this transaction. */
  async lock(q: Queryable, taskId: string): Promise<AnnotationTaskRow | undefined> {
    const [task] = await queryRows<AnnotationTaskRow>(q, 'SELECT * FROM annotation_task WHERE task_id = $1 FOR UPDATE', [taskId]);
    return task;
  },

  async markSubmitted(q: Queryable, taskId: string): Promise<void> {
    await q.query(`UPDATE annotation_task SET state = 'submitted', updated_at = now() WHERE task_id = $1`, [taskId]);
  },

  /**
   * Creates the requested tasks, skipping task keys that exist already (a redelivered request);
   * every task needs `requiredAnswers` answers. Returns the ids of the tasks created.
   */
  async createRequested(q: Queryable, t: RequestedTasks, requiredAnswers: number, guidelineVersion: string): Promise<string[]> {
    const inserted = await queryRows<{ task_id: string }>(
      q,
      `INSERT INTO annotation_task (task_id, task_key, item_id, project_id, state, priority, required_answers, guideline_version, request, traceparent, schema_version)
       SELECT gen_random_uuid()::text, t.task_key, t.item_id, t.project_id, 'pending', t.priority, $5, $6, t.request, t.traceparent, ${latestSchemaVersion('t.project_id')}
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $7::bytea[], $8::text[])
         AS t(task_key, item_id, project_id, priority, request, traceparent)
       ON CONFLICT (task_key) DO NOTHING RETURNING task_id`,
      [t.taskKeys, t.itemIds, t.projectIds, t.priorities, requiredAnswers, guidelineVersion, t.requests, t.traceparents],
    );
    return inserted.map((r) => r.task_id);
  },

  /** Accepts the submitted tasks of the items; returns their ids. */
  async acceptSubmitted(q: Queryable, itemIds: string[]): Promise<string[]> {
    const moved = await queryRows<{ task_id: string }>(
      q,
      `UPDATE annotation_task SET state = 'accepted', updated_at = now() WHERE item_id = ANY($1) AND state = 'submitted' RETURNING task_id`,
      [itemIds],
    );
    return moved.map((m) => m.task_id);
  },

  /** Sends the item's submitted tasks to rework; returns their ids. */
  async reworkSubmitted(q: Queryable, itemId: string): Promise<string[]> {
    const moved = await queryRows<{ task_id: string }>(
      q,
      `UPDATE annotation_task SET state = 'rework', updated_at = now() WHERE item_id = $1 AND state = 'submitted' RETURNING task_id`,
      [itemId],
    );
    return moved.map((m) => m.task_id);
  },

  /**
   * Queues one more task for the item, a copy of its first task (its request, project and
   * guideline version) with `priorityBoost` points more priority, kept away from `excludeAnnotatorIds`:
   * a rework task (one answer) or an extra overlap task (adaptive overlap). Undefined when
   * `taskKey` exists already (a redelivered event) or the item has no task to copy.
   */
  async queueFollowUp(q: Queryable, t: FollowUpTask): Promise<string | undefined> {
    const [inserted] = await queryRows<{ task_id: string }>(
      q,
      `INSERT INTO annotation_task (task_id, task_key, item_id, project_id, kind, state, priority, required_answers, guideline_version, exclude_annotators, request, traceparent, schema_version)
         SELECT gen_random_uuid()::text, $1, item_id, project_id, $5, 'pending', priority + $6, $7, guideline_version, $2::text[], coalesce($8, request), $3, schema_version
           FROM annotation_task WHERE item_id = $4 ORDER BY created_at LIMIT 1
         ON CONFLICT (task_key) DO NOTHING RETURNING task_id`,
      [t.taskKey, t.excludeAnnotatorIds, t.traceparent, t.itemId, t.kind, t.priorityBoost, t.requiredAnswers, t.request ?? null],
    );
    return inserted?.task_id;
  },

  /** The AnnotationRequested (protobuf bytes) of the item's first task; undefined for an unknown item. */
  async firstRequest(q: Queryable, itemId: string): Promise<Buffer | undefined> {
    const [row] = await queryRows<{ request: Buffer }>(q, 'SELECT request FROM annotation_task WHERE item_id = $1 ORDER BY created_at LIMIT 1', [itemId]);
    return row?.request;
  },

  /** Returns the annotator's open leases in the project to the queue, and keeps her away from those tasks. */
  async releaseLeasesOf(q: Queryable, projectId: string, annotatorId: string): Promise<void> {
    await q.query(
      `UPDATE annotation_task SET state = 'pending', annotator_id = NULL, lease_expires_at = NULL, exclude_annotators = exclude_annotators || ARRAY[$2]::text[], updated_at = now()
          WHERE project_id = $1 AND annotator_id = $2 AND state = 'leased'`,
      [projectId, annotatorId],
    );
  },

  /**
   * Takes a lease back without an answer: the task goes to `to` (pending: back to the queue;
   * cancelled: a withdrawn gold task) and its holder is kept away from it for good.
   */
  async release(q: Queryable, taskId: string, holder: string, to: 'pending' | 'cancelled'): Promise<void> {
    await q.query(
      `UPDATE annotation_task SET state = $3, annotator_id = NULL, lease_expires_at = NULL, exclude_annotators = exclude_annotators || ARRAY[$2]::text[], updated_at = now()
          WHERE task_id = $1`,
      [taskId, holder, to],
    );
  },

  /** Up to 500 items of the project with a pending task and not imported into Label Studio yet (each item's oldest task). */
  async notInLabelStudio(q: Queryable, projectId: string): Promise<Pick<AnnotationTaskRow, 'item_id' | 'kind' | 'request'>[]> {
    return queryRows<Pick<AnnotationTaskRow, 'item_id' | 'kind' | 'request'>>(
      q,
      `SELECT DISTINCT ON (t.item_id) t.item_id, t.kind, t.request FROM annotation_task t
        WHERE t.project_id = $1 AND t.state = 'pending' AND NOT EXISTS (SELECT 1 FROM ls_item i WHERE i.item_id = t.item_id)
        ORDER BY t.item_id, t.created_at LIMIT 500`,
      [projectId],
    );
  },

  /** Locks the item's oldest open task the annotator was never given (pending, or with its lease lapsed). */
  async lockOpenOfItem(
    q: Queryable,
    projectId: string,
    itemId: string,
    annotatorId: string,
  ): Promise<Pick<AnnotationTaskRow, 'task_id' | 'state' | 'schema_version'> | undefined> {
    const [t] = await queryRows<Pick<AnnotationTaskRow, 'task_id' | 'state' | 'schema_version'>>(
      q,
      `SELECT task_id, state, schema_version FROM annotation_task t
        WHERE t.project_id = $1 AND t.item_id = $2
          AND (t.state = 'pending' OR (t.state = 'leased' AND t.lease_expires_at <= now()))
          AND ${notGivenBefore('t.item_id', '$3')}
        ORDER BY t.created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [projectId, itemId, annotatorId],
    );
    return t;
  },

  /**
   * The project's queue now: waiting tasks (pending, or with the lease lapsed, as
   * {@link lockNextFor} sees them), open leases, and the answers stored in the last hour.
   */
  async queueStats(q: Queryable, projectId: string): Promise<QueueStatsRow> {
    const [row] = await queryRows<QueueStatsRow>(
      q,
      `WITH open AS (
         SELECT (state = 'leased' AND lease_expires_at > now()) AS leased, created_at, lease_expires_at
           FROM annotation_task WHERE project_id = $1 AND state IN ('pending', 'leased')
       )
       SELECT (SELECT count(*) FROM open WHERE NOT leased)::int AS waiting,
              (SELECT count(*) FROM open WHERE leased)::int AS leased,
              (SELECT min(created_at) FROM open WHERE NOT leased) AS oldest_waiting_since,
              (SELECT min(lease_expires_at) FROM open WHERE leased) AS next_lease_expiry,
              (SELECT count(*) FROM submission s JOIN annotation_task t ON t.task_id = s.task_id
                WHERE t.project_id = $1 AND s.supersedes_submission_id IS NULL AND s.submitted_at > now() - interval '1 hour')::int AS submitted_last_hour,
              now() AS as_of`,
      [projectId],
    );
    return row;
  },

  /** Leases the task to an annotator who has already answered elsewhere (Label Studio): the lease lapses at once. */
  async leaseAnswered(q: Queryable, taskId: string, annotatorId: string): Promise<void> {
    await q.query(`UPDATE annotation_task SET state = 'leased', annotator_id = $2, lease_expires_at = now(), updated_at = now() WHERE task_id = $1`, [
      taskId,
      annotatorId,
    ]);
  },
};
