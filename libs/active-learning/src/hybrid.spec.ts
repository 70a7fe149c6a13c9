import fc from 'fast-check';
import { hybrid } from './hybrid';
import { entropy } from './scores';
import { selectTopK } from './select';

describe('hybrid', () => {
  // Ten near-copies of one edge case (most uncertain), and three other uncertain, distinct items.
  const edge = Array.from({ length: 10 }, (_, i) => ({ id: `edge${i}`, probs: { a: 0.5, b: 0.5 }, embedding: [1, 0.001 * i] }));
  const others = [
    { id: 'o1', probs: { a: 0.6, b: 0.4 }, embedding: [0, 1] },
    { id: 'o2', probs: { a: 0.65, b: 0.35 }, embedding: [-1, 0] },
    { id: 'o3', probs: { a: 0.7, b: 0.3 }, embedding: [0, -1] },
  ];
  const confident = Array.from({ length: 20 }, (_, i) => ({ id: `sure${i}`, probs: { a: 0.99, b: 0.01 }, embedding: [5 + i, 5] }));
  const cands = [...edge, ...others, ...confident];

  it('is not a batch of copies of one edge case', () => {
    const plain = selectTopK(cands, 4, (c) => entropy(c.probs)).map((c) => c.id);
    expect(plain.every((id) => id.startsWith('edge'))).toBe(true);
    // poolFactor 3.25 → a pool of the 13 uncertain items
    const picked = hybrid(cands, 4, { poolFactor: 3.25 }).map((c) => c.id);
    expect(picked[0]).toBe('edge0'); // starts from the most uncertain
    expect(picked.filter((id) => id.startsWith('edge'))).toHaveLength(1);
    expect(picked).toEqual(expect.arrayContaining(['o1', 'o2', 'o3']));
    // confident items are outside the uncertainty pool even though they are far away
    expect(picked.some((id) => id.startsWith('sure'))).toBe(false);
  });

  it('poolFactor 1 is plain uncertainty top-k (as a set)', () => {
    const a = hybrid(cands, 5, { poolFactor: 1, uncertainty: 'margin' });
    const b = selectTopK(cands, 5, (c) => entropy(c.probs));
    expect(new Set(a)).toEqual(new Set(b));
  });

  it('avoids given centres', () => {
    const picked = hybrid(cands, 1, {
      poolFactor: 13,
      centers: [
        [1, 0],
        [0, 1],
        [-1, 0],
      ],
    }).map((c) => c.id);
    expect(picked).toEqual(['o3']);
  });

  it('validates options', () => {
    expect(() => hybrid(cands, 2, { poolFactor: 0.5 })).toThrow(RangeError);
    expect(() => hybrid(cands, -1)).toThrow(RangeError);
  });

  it('property: min(k, n) distinct candidates', () => {
    const cand = fc.record({
      probs: fc.double({ min: 0, max: 1, noNaN: true }).map((p) => ({ a: p, b: 1 - p })),
      embedding: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(cand, { maxLength: 60 }), fc.nat(30), fc.double({ min: 1, max: 5, noNaN: true }), (cs, k, f) => {
        const s = hybrid(cs, k, { poolFactor: f });
        expect(s).toHaveLength(Math.min(k, cs.length));
        expect(new Set(s).size).toBe(s.length);
      }),
    );
  });
});
