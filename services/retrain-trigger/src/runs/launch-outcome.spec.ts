import { launchOutcome } from './launch-outcome';

describe('launchOutcome', () => {
  it('runs an accepted launch, with or without a platform id', () => {
    expect(launchOutcome({ ok: true, externalId: 'kfp:abc' }, 1, 5)).toEqual({ state: 'running', attempts: 1, externalId: 'kfp:abc' });
    expect(launchOutcome({ ok: true }, 3, 5)).toEqual({ state: 'running', attempts: 3, externalId: null });
  });

  it('fails on a final error at once, and on a retriable one when the attempts are used up', () => {
    expect(launchOutcome({ ok: false, retriable: false, error: 'HTTP 400' }, 1, 5)).toEqual({ state: 'failed', attempts: 1, error: 'HTTP 400' });
    expect(launchOutcome({ ok: false, retriable: true, error: 'HTTP 503' }, 5, 5)).toEqual({ state: 'failed', attempts: 5, error: 'HTTP 503' });
  });

  it('retries a retriable error after the backoff, never sooner than 200 ms', () => {
    const err = { ok: false as const, retriable: true, error: 'HTTP 503' };
    expect(launchOutcome(err, 4, 5, () => 1500)).toEqual({ state: 'retry', attempts: 4, error: 'HTTP 503', delaySeconds: 1.5 });
    expect(launchOutcome(err, 1, 5, () => 0)).toEqual({ state: 'retry', attempts: 1, error: 'HTTP 503', delaySeconds: 0.2 });
  });

  it('draws the default backoff from 500 ms doubling per attempt, capped at 30 s', () => {
    const err = { ok: false as const, retriable: true, error: 'timeout' };
    for (let i = 0; i < 200; i++) {
      const first = launchOutcome(err, 1, 99);
      const late = launchOutcome(err, 20, 99);
      if (first.state !== 'retry' || late.state !== 'retry') throw new Error('expected a retry');
      expect(first.delaySeconds).toBeGreaterThanOrEqual(0.2);
      expect(first.delaySeconds).toBeLessThan(1);
      expect(late.delaySeconds).toBeLessThan(30);
    }
  });
});
