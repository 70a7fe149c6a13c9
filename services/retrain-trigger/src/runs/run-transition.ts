/** Allowed run transitions reported by jobs. */
const NEXT: Record<string, string[]> = { requested: ['running', 'succeeded', 'failed'], running: ['succeeded', 'failed'] };

/**
 * What a job's status report does to a run in state `current`: `unchanged` for a repeated
 * report (callbacks are retried), `allowed` for a step forward, `refused` for anything else
 * (a final state never changes, a run never goes back).
 */
export function runTransition(current: string, reported: string): 'unchanged' | 'allowed' | 'refused' {
  if (current === reported) return 'unchanged';
  return (NEXT[current] ?? []).includes(reported) ? 'allowed' : 'refused';
}
