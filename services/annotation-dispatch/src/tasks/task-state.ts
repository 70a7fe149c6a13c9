import { failedPrecondition } from '@labelloop/rpc';

/** States of an annotation task. */
export type TaskState = 'pending' | 'leased' | 'submitted' | 'accepted' | 'rework' | 'cancelled';

/**
 * The task state machine. `leased → pending` is the lease expiring; `submitted → rework`
 * is QA rejecting the answer (a new task is created for the item); accepted, rework and
 * cancelled are final.
 */
const ALLOWED: Readonly<Record<TaskState, readonly TaskState[]>> = {
  pending: ['leased', 'cancelled'],
  leased: ['submitted', 'pending', 'leased', 'cancelled'],
  submitted: ['accepted', 'rework'],
  accepted: [],
  rework: [],
  cancelled: [],
};

/** True when `from → to` is a legal transition. */
export function canTransition(from: TaskState, to: TaskState): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws FAILED_PRECONDITION for an illegal transition. */
export function assertTransition(from: TaskState, to: TaskState): void {
  if (!canTransition(from, to)) throw failedPrecondition(`task cannot go from ${from} to ${to}`);
}
