import { runTransition } from './run-transition';

describe('runTransition', () => {
  it('lets a requested run start or finish, and a running one finish', () => {
    for (const to of ['running', 'succeeded', 'failed']) expect(runTransition('requested', to)).toBe('allowed');
    for (const to of ['succeeded', 'failed']) expect(runTransition('running', to)).toBe('allowed');
  });

  it('treats a repeated report as no change, also in a final state', () => {
    for (const s of ['requested', 'running', 'succeeded', 'failed', 'timed_out']) expect(runTransition(s, s)).toBe('unchanged');
  });

  it('refuses going back and leaving a final state', () => {
    expect(runTransition('running', 'requested')).toBe('refused');
    for (const from of ['succeeded', 'failed', 'timed_out']) {
      for (const to of ['running', 'succeeded', 'failed'].filter((t) => t !== from)) expect(runTransition(from, to)).toBe('refused');
    }
  });
});
