import { createHash } from 'node:crypto';

/**
 * How often an annotator gets a gold item at DISPATCH_GOLD_RATE `rate`: every round(1/rate)-th
 * task, at most every second one; undefined when gold injection is off (rate ≤ 0).
 */
export function goldInterval(rate: number): number | undefined {
  return rate > 0 ? Math.max(2, Math.round(1 / rate)) : undefined;
}

/** True when the annotator's next task is a gold one, after the `given` tasks she has had in the project. */
export function isGoldTurn(given: number, every: number): boolean {
  return (given + 1) % every === 0;
}

/** Private key of an annotator's gold task for an item: one per (item, annotator); the task id itself says nothing. */
export function goldTaskKey(itemId: string, annotatorId: string): string {
  return `${itemId}#gold-${createHash('sha256').update(annotatorId).digest('hex').slice(0, 12)}`;
}
