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

const HTTP_STATUS: Record<string, number> = { INVALID_ARGUMENT: 400, UNAUTHENTICATED: 401, PERMISSION_DENIED: 403, NOT_FOUND: 404 };

/** The HTTP status of a page showing a stage's refusal: the gRPC status's counterpart, else `otherwise`. */
export function httpStatusOf(code: string, otherwise: number): number {
  return HTTP_STATUS[code] ?? otherwise;
}
