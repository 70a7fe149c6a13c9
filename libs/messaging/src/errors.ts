/**
 * Thrown by a handler when one event can never be processed (it fails validation or
 * breaks a business invariant). The consumer rolls the batch back, sends that event to the
 * dead-letter topic with the reason, and processes the rest. Any other error is treated as
 * transient (database down, ...) and the batch is retried with backoff, never skipped.
 */
export class PoisonMessageError extends Error {
  constructor(
    readonly eventId: string,
    readonly reason: string,
  ) {
    super(`event ${eventId}: ${reason}`);
    this.name = 'PoisonMessageError';
  }
}
