import { Queryable, queryRows } from '@labelloop/persistence';

/** What a retry needs to know of a task's stored submission. */
export interface PriorSubmission {
  submission_id: string;
  annotator_id: string;
  idempotency_key: string | null;
}

/** An answer to store. */
export interface NewSubmission {
  submissionId: string;
  taskId: string;
  itemId: string;
  annotatorId: string;
  /** The Label, protobuf-encoded. */
  label: Buffer;
  idempotencyKey: string | null;
  preLabelAccepted: boolean;
  timeSpentMs: number;
  /** The submission this one replaces (an edit made in Label Studio), or null. */
  supersedesSubmissionId?: string | null;
}

/** A stored submission, as a superseding one needs it. */
export interface SubmissionRow {
  submission_id: string;
  task_id: string;
  annotator_id: string;
}

/** `submission`: the answer of each task, and the edits that replaced it. */
export const submissions = {
  /** The task's original submission (not an edit), if it has one. */
  async ofTask(q: Queryable, taskId: string): Promise<PriorSubmission | undefined> {
    const [prev] = await queryRows<PriorSubmission>(
      q,
      'SELECT submission_id, annotator_id, idempotency_key FROM submission WHERE task_id = $1 AND supersedes_submission_id IS NULL',
      [taskId],
    );
    return prev;
  },

  /** A submission by id. */
  async byId(q: Queryable, submissionId: string): Promise<SubmissionRow | undefined> {
    const [row] = await queryRows<SubmissionRow>(q, 'SELECT submission_id, task_id, annotator_id FROM submission WHERE submission_id = $1', [submissionId]);
    return row;
  },

  async insert(q: Queryable, s: NewSubmission): Promise<void> {
    await q.query(
      `INSERT INTO submission (submission_id, task_id, item_id, annotator_id, label, idempotency_key, pre_label_accepted, time_spent_ms, supersedes_submission_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [s.submissionId, s.taskId, s.itemId, s.annotatorId, s.label, s.idempotencyKey, s.preLabelAccepted, s.timeSpentMs, s.supersedesSubmissionId ?? null],
    );
  },
};
