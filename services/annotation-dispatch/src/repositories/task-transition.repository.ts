import type { Queryable } from '@labelloop/persistence';
import type { TaskState } from '../tasks/task-state';

/** `task_transition`: the log of every task state change, with who made it and why. */
export const taskTransitions = {
  /** Logs one transition. */
  async log(q: Queryable, taskId: string, from: TaskState | null, to: TaskState, actor: string, reason?: string): Promise<void> {
    await q.query('INSERT INTO task_transition (task_id, from_state, to_state, actor, reason) VALUES ($1, $2, $3, $4, $5)', [
      taskId,
      from,
      to,
      actor,
      reason ?? null,
    ]);
  },

  /** Logs the creation of tasks sampling requested. */
  async logRequested(q: Queryable, taskIds: string[]): Promise<void> {
    await q.query(`INSERT INTO task_transition (task_id, from_state, to_state, actor) SELECT id, NULL, 'pending', 'sampling' FROM unnest($1::text[]) AS id`, [
      taskIds,
    ]);
  },

  /** Logs QA accepting submitted tasks. */
  async logAccepted(q: Queryable, taskIds: string[]): Promise<void> {
    await q.query(`INSERT INTO task_transition (task_id, from_state, to_state, actor) SELECT id, 'submitted', 'accepted', 'qa' FROM unnest($1::text[]) id`, [
      taskIds,
    ]);
  },

  /** Logs QA sending a submitted task to rework. */
  async logReworked(q: Queryable, taskId: string, reason: string): Promise<void> {
    await q.query(`INSERT INTO task_transition (task_id, from_state, to_state, actor, reason) VALUES ($1, 'submitted', 'rework', 'qa', $2)`, [taskId, reason]);
  },

  /** Logs a task QA queued (a rework task, or one more answer under adaptive overlap). */
  async logQueuedByQa(q: Queryable, taskId: string, reason: string): Promise<void> {
    await q.query(`INSERT INTO task_transition (task_id, from_state, to_state, actor, reason) VALUES ($1, NULL, 'pending', 'qa', $2)`, [taskId, reason]);
  },

  /** Logs a task leased to the Label Studio annotator who answered its item. */
  async logLabelStudioLease(q: Queryable, taskId: string, from: TaskState, annotatorId: string): Promise<void> {
    await q.query(`INSERT INTO task_transition (task_id, from_state, to_state, actor, reason) VALUES ($1, $2, 'leased', $3, 'annotated in Label Studio')`, [
      taskId,
      from,
      annotatorId,
    ]);
  },
};
