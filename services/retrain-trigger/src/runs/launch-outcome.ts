import { backoffMs } from '@labelloop/messaging';
import type { LaunchResult } from '../launchers/launcher';

/** What one launch attempt does to its run. */
export type LaunchOutcome =
  | { state: 'running'; attempts: number; externalId: string | null }
  | { state: 'failed'; attempts: number; error: string }
  | { state: 'retry'; attempts: number; error: string; delaySeconds: number };

/**
 * The run's next state after its attempt number `attempts` (1-based): running when the
 * platform accepted it; failed when the error is final or the attempts are used up; otherwise
 * requested again after a jittered backoff of at least 200 ms (`backoff` is `backoffMs`'s
 * random draw; tests pass their own).
 */
export function launchOutcome(
  result: LaunchResult,
  attempts: number,
  maxAttempts: number,
  backoff: (attempt: number) => number = (a) => backoffMs(a, 500, 30_000),
): LaunchOutcome {
  if (result.ok) return { state: 'running', attempts, externalId: result.externalId ?? null };
  if (!result.retriable || attempts >= maxAttempts) return { state: 'failed', attempts, error: result.error };
  return { state: 'retry', attempts, error: result.error, delaySeconds: Math.max(200, backoff(attempts)) / 1000 };
}
