/** Why a call was refused. */
export type Refusal = 'requests' | 'bytes';

/**
 * A bound on the work a gateway replica holds at once: calls in progress and the bytes of
 * their requests. A call that does not fit is refused at once (the caller retries after a
 * while) instead of queueing, so memory stays bounded under any burst. No I/O: one instance
 * per process, shared by the gRPC and HTTP edges.
 */
export class Admission {
  private calls = 0;
  private held = 0;

  constructor(
    readonly maxCalls: number,
    readonly maxBytes: number,
  ) {}

  /** Admits a call of `bytes`: a release function (call it once, when done), or the limit that refused it. */
  tryAcquire(bytes: number): (() => void) | Refusal {
    if (this.calls >= this.maxCalls) return 'requests';
    if (this.held + bytes > this.maxBytes) return 'bytes';
    this.calls++;
    this.held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.calls--;
      this.held -= bytes;
    };
  }

  /** Calls and bytes held now (for metrics). */
  get inFlight(): { calls: number; bytes: number } {
    return { calls: this.calls, bytes: this.held };
  }
}
