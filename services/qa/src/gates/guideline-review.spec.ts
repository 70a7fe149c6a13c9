import { classDisagreement, needsReview, reviewAction } from './guideline-review';

const policy = { window: 200, minItems: 20, threshold: 0.4, margin: 0.2 };
const rounds = (n: number, labels: string[]) => Array.from({ length: n }, () => ({ labels }));

describe('classDisagreement (proportion of specific agreement, Uebersax)', () => {
  it('matches a hand computation', () => {
    // Round 1: a,a,b (n=3); round 2: a,b (n=2); round 3: b,b (n=2).
    // a: agree 2·1 + 0 = 2, total 2·2 + 1·1 = 5 → rate 3/5. b: agree 0 + 0 + 2 = 2, total 1·2 + 1 + 2 = 5 → 3/5.
    // overall: agree 2 + 0 + 2 = 4 of pairs 6 + 2 + 2 = 10 → 0.6.
    const r = classDisagreement([{ labels: ['a', 'a', 'b'] }, { labels: ['a', 'b'] }, { labels: ['b', 'b'] }]);
    expect(r.map((c) => [c.labelClass, c.items, c.rate])).toEqual([
      ['a', 2, 0.6],
      ['b', 3, 0.6],
    ]);
    expect(r[0].baseline).toBeCloseTo(0.6, 12);
  });

  it('singles out the class annotators split on, not the class it is confused with', () => {
    // 25 items split promo/ham, 25 unanimous ham, 25 unanimous spam.
    const r = classDisagreement([...rounds(25, ['promo', 'ham']), ...rounds(25, ['ham', 'ham']), ...rounds(25, ['spam', 'spam'])]);
    const by = Object.fromEntries(r.map((c) => [c.labelClass, c]));
    expect(by.promo.rate).toBe(1);
    expect(by.ham.rate).toBeCloseTo(1 / 3, 12);
    expect(by.spam.rate).toBe(0);
    expect(by.promo.baseline).toBeCloseTo(1 / 3, 12); // 100 agreeing of 150 ordered pairs
    expect(r.filter((c) => needsReview(c, policy)).map((c) => c.labelClass)).toEqual(['promo']);
  });

  it('waits for enough items and ignores single answers', () => {
    expect(needsReview(classDisagreement(rounds(19, ['x', 'y']))[0], policy)).toBe(false);
    expect(classDisagreement([{ labels: ['x'] }])).toEqual([]);
  });
});

describe('reviewAction', () => {
  // policy: minItems 20, threshold 0.4, margin 0.2.
  const high = { labelClass: 'promo', items: 25, rate: 0.9, baseline: 0.3 };
  const hovering = { ...high, rate: 0.45, baseline: 0.3 }; // above the threshold, within the margin
  const low = { ...high, rate: 0.2 };

  it('raises a class that needs review, counting the times it was raised', () => {
    expect(reviewAction(high, undefined, policy)).toEqual({ kind: 'raise', raised: 1 });
    expect(reviewAction(high, { open: false, raised: 2 }, policy)).toEqual({ kind: 'raise', raised: 3 });
  });

  it('raises nothing while a request is open', () => {
    expect(reviewAction(high, { open: true, raised: 1 }, policy)).toEqual({ kind: 'none' });
  });

  it('re-arms an open request only once the rate falls below the threshold', () => {
    expect(reviewAction(hovering, { open: true, raised: 1 }, policy)).toEqual({ kind: 'none' });
    expect(reviewAction(low, { open: true, raised: 1 }, policy)).toEqual({ kind: 'close' });
    expect(reviewAction(low, { open: false, raised: 1 }, policy)).toEqual({ kind: 'none' });
    expect(reviewAction(low, undefined, policy)).toEqual({ kind: 'none' });
  });

  it('waits for enough items before raising', () => {
    expect(reviewAction({ ...high, items: 19 }, undefined, policy)).toEqual({ kind: 'none' });
  });
});
