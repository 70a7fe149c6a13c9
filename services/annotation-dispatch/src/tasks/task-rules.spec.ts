import { status } from '@grpc/grpc-js';
import { holderRefusal, isRetryOf, lapsedHolders, releasedState } from './task-rules';

describe('lapsedHolders', () => {
  it('keeps the holder of a lapsed lease away, and nobody from a pending task', () => {
    expect(lapsedHolders({ state: 'leased', annotator_id: 'ann-1' })).toEqual(['ann-1']);
    expect(lapsedHolders({ state: 'pending', annotator_id: null })).toEqual([]);
    expect(lapsedHolders({ state: 'leased', annotator_id: null })).toEqual([]);
  });
});

describe('isRetryOf', () => {
  const prev = { annotator_id: 'ann-1', idempotency_key: 'k1' };

  it('takes the same annotator with the same key as a retry', () => {
    expect(isRetryOf(prev, 'ann-1', 'k1')).toBe(true);
  });

  it('takes another key, another annotator or no key at all as a second answer', () => {
    expect(isRetryOf(prev, 'ann-1', 'k2')).toBe(false);
    expect(isRetryOf(prev, 'ann-2', 'k1')).toBe(false);
    expect(isRetryOf({ annotator_id: 'ann-1', idempotency_key: null }, 'ann-1', '')).toBe(false);
    expect(isRetryOf({ annotator_id: 'ann-1', idempotency_key: '' }, 'ann-1', '')).toBe(false);
  });
});

describe('holderRefusal', () => {
  it('lets the holder answer', () => {
    expect(holderRefusal({ task_id: 't1', state: 'leased', annotator_id: 'ann-1' }, 'ann-1')).toBeUndefined();
  });

  it('refuses a lapsed lease re-leased to another with FAILED_PRECONDITION, and a task never held with PERMISSION_DENIED', () => {
    expect(holderRefusal({ task_id: 't1', state: 'leased', annotator_id: 'ann-2' }, 'ann-1')).toEqual(
      expect.objectContaining({
        code: status.FAILED_PRECONDITION,
        message: expect.stringContaining('task t1 is leased to another annotator (your lease expired)'),
      }),
    );
    expect(holderRefusal({ task_id: 't1', state: 'pending', annotator_id: null }, 'ann-1')).toEqual(
      expect.objectContaining({ code: status.PERMISSION_DENIED, message: expect.stringContaining('task t1 is not leased to you') }),
    );
  });
});

describe('releasedState', () => {
  it('returns an ordinary task to the queue and withdraws a gold task made for its holder', () => {
    expect(releasedState('label')).toBe('pending');
    expect(releasedState('overlap')).toBe('pending');
    expect(releasedState('rework')).toBe('pending');
    expect(releasedState('gold')).toBe('cancelled');
  });
});
