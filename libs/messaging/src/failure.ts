/**
 * Whether a failed transaction may succeed if tried again. Decided once, here, for every
 * consumer:
 *  - `permanent`: the data itself is refused (PostgreSQL data exceptions, SQLSTATE class 22,
 *    and the integrity violations only the event's own values cause: NOT NULL and CHECK). The
 *    same bytes fail every time, so retrying would stop the partition forever;
 *  - `transient`: the infrastructure failed (connection loss, serialization failures,
 *    deadlocks, lock and statement timeouts, resources, an operator's intervention, a missing
 *    table during a deployment, the broker). Retried with backoff, never skipped;
 *  - `suspect`: neither is known (a JavaScript error thrown by a handler on strange values, a
 *    unique or foreign-key violation that a concurrent writer could also cause). Retried a few
 *    times; if it persists, the batch is split to see whether one event alone causes it.
 */
export type FailureKind = 'permanent' | 'transient' | 'suspect';

/** SQLSTATEs of class 23 whose cause can only be the values written. */
const PERMANENT_INTEGRITY = new Set(['23502' /* not_null_violation */, '23514' /* check_violation */]);

/** Node's socket error codes: the connection, not the data. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/** The PostgreSQL SQLSTATE of an error (pg's DatabaseError, or TypeORM's QueryFailedError wrapping it). */
export function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Classifies a failed batch's error (see FailureKind). */
export function classifyFailure(err: unknown): FailureKind {
  const state = sqlState(err);
  if (state) {
    if (state.startsWith('22') || PERMANENT_INTEGRITY.has(state)) return 'permanent';
    if (state.startsWith('23')) return 'suspect';
    return 'transient';
  }
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) return 'transient';
  const name = typeof e?.name === 'string' ? e.name : '';
  // kafkajs errors (KafkaJSError and its subclasses) and TypeORM's connection errors.
  if (name.startsWith('KafkaJS') || /Connection|Timeout/i.test(name)) return 'transient';
  const message = typeof e?.message === 'string' ? e.message : '';
  // pg's client-side connection failures carry no SQLSTATE.
  if (/connection|terminat|timeout|ECONN|socket/i.test(message)) return 'transient';
  return 'suspect';
}

/** A short description of the failure for the dead letter's headers. */
export function failureReason(err: unknown): string {
  const state = sqlState(err);
  const message = (err as Error)?.message ?? String(err);
  return state ? `PostgreSQL refused the event (SQLSTATE ${state}): ${message}` : `the handler failed on this event alone: ${message}`;
}
