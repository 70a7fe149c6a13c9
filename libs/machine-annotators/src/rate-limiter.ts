import { setTimeout as delay } from 'node:timers/promises';

/** Spaces calls evenly: at most `perSecond` starts in any second, in arrival order. */
export class RateLimiter {
  private next = 0;
  private readonly gapMs: number;

  constructor(perSecond: number) {
    if (!(perSecond > 0)) throw new RangeError(`rate limit must be positive, got ${perSecond}`);
    this.gapMs = 1000 / perSecond;
  }

  async take(): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + this.gapMs;
    if (at > now) await delay(at - now);
  }
}
