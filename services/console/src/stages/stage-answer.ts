import { status } from '@grpc/grpc-js';

/** What a stage answered: its value, or why not (refused, unreachable, not configured). */
export type StageAnswer<T> = { ok: true; value: T } | { ok: false; stage: string; code: string; message: string };

/**
 * A gRPC error as the console shows it: the stage, the status name and the stage's own words
 * (e.g. "annotation-dispatch refused: PERMISSION_DENIED — requires role admin").
 */
export function stageRefusal(stage: string, e: unknown): { ok: false; stage: string; code: string; message: string } {
  const err = e as { code?: number; details?: string; message?: string };
  const code = typeof err.code === 'number' ? (status[err.code] ?? String(err.code)) : 'UNKNOWN';
  const details = err.details || err.message || 'no details';
  const verb = code === 'PERMISSION_DENIED' || code === 'UNAUTHENTICATED' ? 'refused' : 'answered';
  return { ok: false, stage, code, message: `${stage} ${verb}: ${code} — ${details}` };
}
