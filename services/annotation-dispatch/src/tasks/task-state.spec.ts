import { status } from '@grpc/grpc-js';
import { assertTransition, canTransition, TaskState } from './task-state';

describe('task state machine', () => {
  it('allows the happy path and rework', () => {
    const path: TaskState[] = ['pending', 'leased', 'submitted', 'accepted'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i])).toBe(true);
    expect(canTransition('submitted', 'rework')).toBe(true);
    expect(canTransition('leased', 'pending')).toBe(true); // lease expired
  });

  it('refuses illegal transitions with FAILED_PRECONDITION', () => {
    expect(canTransition('pending', 'submitted')).toBe(false);
    expect(canTransition('accepted', 'pending')).toBe(false);
    expect(canTransition('rework', 'submitted')).toBe(false);
    expect(() => assertTransition('accepted', 'leased')).toThrow(expect.objectContaining({ code: status.FAILED_PRECONDITION }));
  });
});
