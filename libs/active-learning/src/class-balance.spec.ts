import fc from 'fast-check';
import { classBalancedSelect, classBalanceWeights } from './class-balance';
import { entropy } from './scores';
import { selectTopK } from './select';

describe('classBalanceWeights', () => {
  it('is 1 for balanced counts and largest for the rarest class', () => {
    expect(classBalanceWeights({ a: 10, b: 10, c: 10 })).toEqual({ a: 1, b: 1, c: 1 });
    const w = classBalanceWeights({ a: 900, b: 90, c: 9 });
    // (999 + 3) / (3 · (n + 1))
    expect(w.a).toBeCloseTo(1002 / (3 * 901), 12);
    expect(w.b).toBeCloseTo(1002 / (3 * 91), 12);
    expect(w.c).toBe(10); // 1002/30 = 33.4, capped at maxWeight 10
    expect(w.c).toBeGreaterThan(w.b);
    expect(w.b).toBeGreaterThan(1);
    expect(w.a).toBeLessThan(1);
  });

  it('honours power, smoothing and maxWeight', () => {
    expect(classBalanceWeights({ a: 3, b: 1 }, { power: 0 })).toEqual({ a: 1, b: 1 });
    expect(classBalanceWeights({ a: 3, b: 1 }, { smoothing: 0 })).toEqual({ a: 4 / 6, b: 2 });
    expect(classBalanceWeights({ a: 100, b: 0 }, { smoothing: 0, maxWeight: 5 }).b).toBe(5);
    expect(classBalanceWeights({ a: 0, b: 0 }, { smoothing: 0 })).toEqual({ a: 1, b: 1 });
    expect(() => classBalanceWeights({ a: -1 })).toThrow(RangeError);
  });

  it('property: rarer class ⇒ weight at least as large', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.nat(1000), { minKeys: 1, maxKeys: 6 }), (counts) => {
        const w = classBalanceWeights(counts);
        for (const a of Object.keys(counts)) for (const b of Object.keys(counts)) if (counts[a] < counts[b]) expect(w[a]).toBeGreaterThanOrEqual(w[b]);
      }),
    );
  });
});

describe('classBalancedSelect', () => {
  // 20 candidates predicted "ham" and very uncertain, 2 predicted "spam" and less uncertain.
  const hamUncertain = Array.from({ length: 20 }, (_, i) => ({ id: `ham${i}`, probs: { ham: 0.55 + i * 0.001, spam: 0.45 - i * 0.001 } }));
  const spamRare = [
    { id: 'spamA', probs: { ham: 0.3, spam: 0.7 } },
    { id: 'spamB', probs: { ham: 0.1, spam: 0.9 } },
  ];
  const cands = [...hamUncertain, ...spamRare];

  it('boosts the rarest predicted class over plain uncertainty', () => {
    const plain = selectTopK(cands, 3, (c) => entropy(c.probs)).map((c) => c.id);
    expect(plain).toEqual(['ham0', 'ham1', 'ham2']);
    const balanced = classBalancedSelect(cands, 3).map((c) => c.id);
    expect(balanced).toContain('spamA');
    expect(balanced[0]).toBe('spamA'); // entropy(0.7) ≈ 0.881 × weight 24/6 = 4 beats 0.993 × 24/63
  });

  it('does not collapse the batch onto the rare class', () => {
    const many = [...hamUncertain, ...Array.from({ length: 10 }, (_, i) => ({ id: `spam${i}`, probs: { ham: 0.2, spam: 0.8 } }))];
    const picked = classBalancedSelect(many, 10, { predictedClassCounts: { ham: 5, spam: 5 } }).map((c) => c.id);
    const spam = picked.filter((id) => id.startsWith('spam')).length;
    // Equal starting counts: picks alternate towards balance, the more uncertain ham class first.
    expect(spam).toBeGreaterThanOrEqual(3);
    expect(spam).toBeLessThanOrEqual(7);
  });

  it('with power 0 equals plain entropy top-k', () => {
    expect(classBalancedSelect(cands, 5, { power: 0 })).toEqual(selectTopK(cands, 5, (c) => entropy(c.probs)));
  });

  it('property: min(k, n) distinct candidates', () => {
    const cand = fc.double({ min: 0, max: 1, noNaN: true }).chain((p) => fc.constantFrom('x', 'y', 'z').map((other) => ({ probs: { a: p, [other]: 1 - p } })));
    fc.assert(
      fc.property(fc.array(cand, { maxLength: 40 }), fc.nat(50), (cs, k) => {
        const s = classBalancedSelect(cs, k);
        expect(s).toHaveLength(Math.min(k, cs.length));
        expect(new Set(s).size).toBe(s.length);
      }),
    );
  });
});
