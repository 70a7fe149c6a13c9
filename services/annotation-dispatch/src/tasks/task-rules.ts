import { failedPrecondition, permissionDenied, RpcError } from '@labelloop/rpc';
import type { TaskState } from './task-state';

/** The parts of a task the rules below read. */
export interface TaskHolder {
  task_id: string;
  state: TaskState;
  annotator_id: string | null;
}

/**
 * Who is kept away from a task that is leased anew: the holder of its lapsed lease (an
 * annotator whose lease lapsed does not get the item back); nobody for a pending task.
 */
export function lapsedHolders(task: Pick<TaskHolder, 'state' | 'annotator_id'>): string[] {
  return task.state === 'leased' && task.annotator_id ? [task.annotator_id] : [];
}

/**
 * A second answer to a task is a retry of the stored one (and gets its first result) only when
 * the same annotator sends it with the same, non-empty, idempotency key.
 */
export function isRetryOf(prev: { annotator_id: string; idempotency_key: string | null }, annotatorId: string, idempotencyKey: string): boolean {
  return prev.annotator_id === annotatorId && !!idempotencyKey && prev.idempotency_key === idempotencyKey;
}

/**
 * Why the annotator may not answer the task, or undefined when she holds it. A task leased to
 * someone else means her lease lapsed and it was re-leased (FAILED_PRECONDITION); otherwise it
 * was never hers (PERMISSION_DENIED).
 */
export function holderRefusal(task: TaskHolder, annotatorId: string): RpcError | undefined {
  if (task.annotator_id === annotatorId) return undefined;
  if (task.state === 'leased') return failedPrecondition(`task ${task.task_id} is leased to another annotator (your lease expired)`);
  return permissionDenied(`task ${task.task_id} is not leased to you`);
}

/**
 * Where a task goes when its holder gives it back unanswered (a skip, a machine's abstention):
 * an ordinary task back to the queue for someone else; a gold task, made for that holder alone,
 * is withdrawn.
 */
export function releasedState(kind: string): 'pending' | 'cancelled' {
  return kind === 'gold' ? 'cancelled' : 'pending';
}
