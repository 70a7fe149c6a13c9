import fc from 'fast-check';
import { cosineSimilarity, mostSimilar, nearDuplicate } from './near-duplicate';

describe('near-duplicate detection', () => {
  it('computes cosine similarity', () => {
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 0], [-3, 0])).toBeCloseTo(-1, 12);
    expect(cosineSimilarity([1, 1], [1, 0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(RangeError);
  });

  it('flags a near-copy and not a different item', () => {
    const recent = [
      [1, 0, 0],
      [0, 1, 0],
    ];
    expect(nearDuplicate([0.99, 0.05, 0], recent, 0.95)).toBe(true);
    expect(nearDuplicate([0.5, 0.5, 0.7], recent, 0.95)).toBe(false);
    expect(nearDuplicate([1, 0, 0], [], 0.95)).toBe(false);
    expect(nearDuplicate([2, 0, 0], recent, 1)).toBe(true); // similarity exactly at the threshold counts
    expect(mostSimilar([0.1, 0.9, 0], recent)).toEqual({ index: 1, similarity: cosineSimilarity([0.1, 0.9, 0], [0, 1, 0]) });
    expect(() => nearDuplicate([1], [[1]], 1.5)).toThrow(RangeError);
  });

  it('property: nearDuplicate ⇔ max similarity >= threshold', () => {
    const vec = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(vec, fc.array(vec, { maxLength: 8 }), fc.double({ min: -1, max: 1, noNaN: true }), (e, recent, th) => {
        expect(nearDuplicate(e, recent, th)).toBe(recent.length > 0 && mostSimilar(e, recent).similarity >= th);
      }),
    );
  });
});
