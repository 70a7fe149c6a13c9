import { goldInterval, goldTaskKey, isGoldTurn } from './gold-injection';

describe('gold injection', () => {
  it('is off at rate 0, every 10th task at 0.1, and never more often than every 2nd', () => {
    expect(goldInterval(0)).toBeUndefined();
    expect(goldInterval(-1)).toBeUndefined();
    expect(goldInterval(0.1)).toBe(10);
    expect(goldInterval(0.3)).toBe(3);
    expect(goldInterval(0.9)).toBe(2);
    expect(goldInterval(1)).toBe(2);
  });

  it('makes every n-th task gold, counting the tasks given so far', () => {
    const turns = Array.from({ length: 10 }, (_, given) => isGoldTurn(given, 5));
    expect(turns).toEqual([false, false, false, false, true, false, false, false, false, true]);
  });

  it('keys a gold task by item and annotator, without showing the annotator', () => {
    const key = goldTaskKey('item-1', 'ann-1');
    expect(key).toMatch(/^item-1#gold-[0-9a-f]{12}$/);
    expect(key).not.toContain('ann-1');
    expect(goldTaskKey('item-1', 'ann-1')).toBe(key);
    expect(goldTaskKey('item-1', 'ann-2')).not.toBe(key);
  });
});
