import { decideAgainstChampion, decidePromotion, PromotionRules, STORED_CHAMPION_REASON } from './decide';

const rules: PromotionRules = {
  primaryMetric: 'accuracy',
  minImprovement: 0.01,
  guards: [{ metric: 'f1_spam', maxRegression: 0.02 }],
  classFloors: { spam: 0.8 },
};
const ev = (accuracy: number, f1: number, spamAcc: number) => ({ metrics: { accuracy, f1_spam: f1 }, slices: { spam: { accuracy: spamAcc } } });

describe('decidePromotion', () => {
  it('promotes a candidate that beats the champion by the margin within guards and floors', () => {
    const d = decidePromotion(ev(0.93, 0.9, 0.85), ev(0.9, 0.9, 0.84), rules);
    expect(d.promote).toBe(true);
    expect(d.reasons[0]).toBe('accuracy: 0.9300 vs champion 0.9000 (gain 0.0300, required 0.0100)');
  });

  it('rejects a gain below the margin, naming the rule', () => {
    const d = decidePromotion(ev(0.905, 0.9, 0.85), ev(0.9, 0.9, 0.84), rules);
    expect(d).toEqual({ promote: false, reasons: expect.arrayContaining(['accuracy: 0.9050 vs champion 0.9000 (gain 0.0050, required 0.0100)']) });
    expect(d.reasons[0]).toMatch(/^accuracy:/); // failed rules come first
  });

  it('rejects a guard regression and a broken class floor even when the primary improves', () => {
    const guard = decidePromotion(ev(0.95, 0.85, 0.9), ev(0.9, 0.9, 0.84), rules);
    expect(guard.promote).toBe(false);
    expect(guard.reasons[0]).toBe('guard f1_spam: 0.8500 vs champion 0.9000 (drop 0.0500, allowed 0.0200)');
    const floor = decidePromotion(ev(0.95, 0.9, 0.7), ev(0.9, 0.9, 0.84), rules);
    expect(floor.reasons[0]).toBe('class spam: accuracy 0.7000 (floor 0.8000)');
  });

  it('promotes the first model when it meets the floors, and refuses one without the primary metric', () => {
    expect(decidePromotion(ev(0.7, 0.7, 0.81), undefined, rules).promote).toBe(true);
    expect(decidePromotion(ev(0.7, 0.7, 0.79), undefined, rules).promote).toBe(false);
    expect(decidePromotion({ metrics: {}, slices: {} }, undefined, rules)).toEqual({
      promote: false,
      reasons: ["primary metric accuracy missing from the candidate's evaluation"],
    });
  });

  it('takes a gain or a drop of exactly the margin as meeting it, whatever the floating-point difference', () => {
    // 0.565 − 0.56 is 0.004999999999999893 and 0.9 − 0.89 is 0.010000000000000009 in doubles.
    const exact = { ...rules, minImprovement: 0.005, guards: [{ metric: 'f1_spam', maxRegression: 0.01 }] };
    const d = decidePromotion(ev(0.565, 0.89, 0.85), ev(0.56, 0.9, 0.84), exact);
    expect(d).toEqual({
      promote: true,
      reasons: [
        'accuracy: 0.5650 vs champion 0.5600 (gain 0.0050, required 0.0050)',
        'guard f1_spam: 0.8900 vs champion 0.9000 (drop 0.0100, allowed 0.0100)',
        'class spam: accuracy 0.8500 (floor 0.8000)',
      ],
    });
    // One thousandth short of either margin still fails.
    expect(decidePromotion(ev(0.564, 0.89, 0.85), ev(0.56, 0.9, 0.84), exact).promote).toBe(false);
    expect(decidePromotion(ev(0.565, 0.889, 0.85), ev(0.56, 0.9, 0.84), exact).promote).toBe(false);
  });

  it('promotes over a champion whose evaluation lacks the primary metric', () => {
    expect(decidePromotion(ev(0.7, 0.7, 0.81), { metrics: {}, slices: {} }, rules)).toMatchObject({
      promote: true,
      reasons: expect.arrayContaining(['accuracy: 0.7000 vs champion n/a (gain n/a, required 0.0100)']),
    });
  });
});

describe('decideAgainstChampion', () => {
  const none = { metrics: {}, slices: {} };

  it('compares with the champion measured on the same split when the job measured it', () => {
    const measured = ev(0.9, 0.9, 0.84);
    const d = decideAgainstChampion(ev(0.93, 0.9, 0.85), measured, ev(0.99, 0.9, 0.84), rules);
    expect(d).toEqual({ ...decidePromotion(ev(0.93, 0.9, 0.85), measured, rules), champion: measured });
    expect(d.promote).toBe(true);
    expect(d.reasons).not.toContain(STORED_CHAMPION_REASON);
  });

  it('falls back to the stored champion metrics, and says so', () => {
    const stored = ev(0.9, 0.9, 0.84);
    const d = decideAgainstChampion(ev(0.93, 0.9, 0.85), none, stored, rules);
    expect(d.champion).toBe(stored);
    expect(d.promote).toBe(true);
    expect(d.reasons).toEqual([...decidePromotion(ev(0.93, 0.9, 0.85), stored, rules).reasons, STORED_CHAMPION_REASON]);
  });

  it('decides on the floors alone when there is no champion at all', () => {
    expect(decideAgainstChampion(ev(0.7, 0.7, 0.81), none, undefined, rules)).toEqual({
      ...decidePromotion(ev(0.7, 0.7, 0.81), undefined, rules),
      champion: undefined,
    });
  });
});
