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
}

/** `submission`: the one answer of each task. */
export const submissions = {
  /** The task's submission, if it has one. */
  async ofTask(q: Queryable, taskId: string): Promise<PriorSubmission | undefined> {
    const [prev] = await queryRows<PriorSubmission>(q, 'SELECT submission_id, annotator_id, idempotency_key FROM submission WHERE task_id = $1', [taskId]);
    return prev;
  },

  async insert(q: Queryable, s: NewSubmission): Promise<void> {
    await q.query(
      `INSERT INTO submission (submission_id, task_id, item_id, annotator_id, label, idempotency_key, pre_label_accepted, time_spent_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [s.submissionId, s.taskId, s.itemId, s.annotatorId, s.label, s.idempotencyKey, s.preLabelAccepted, s.timeSpentMs],
    );
  },
};
