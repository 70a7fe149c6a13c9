import fc from 'fast-check';
import { Mulberry32 } from '@labelloop/drift-stats';
import { randomIndices, randomSample, selectTopK, topKIndices } from './select';

describe('topKIndices / selectTopK', () => {
  it('returns the highest scores best first, ties by lower index, NaN last', () => {
    expect(topKIndices([0.1, 0.9, 0.5, 0.9, NaN, -Infinity], 4)).toEqual([1, 3, 2, 0]);
    expect(topKIndices([NaN, -Infinity, NaN], 3)).toEqual([1, 0, 2]);
    expect(topKIndices([3, 1, 2], 0)).toEqual([]);
    expect(topKIndices([3, 1, 2], 10)).toEqual([0, 2, 1]);
    expect(() => topKIndices([1], -1)).toThrow(RangeError);
    expect(() => topKIndices([1], 1.5)).toThrow(RangeError);
  });

  it('selectTopK returns the candidates', () => {
    const c = [
      { id: 'a', s: 1 },
      { id: 'b', s: 3 },
      { id: 'c', s: 2 },
    ];
    expect(selectTopK(c, 2, (x) => x.s).map((x) => x.id)).toEqual(['b', 'c']);
  });

  it('property: min(k, n) distinct indices and every selected score >= every unselected score', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ noNaN: true }), fc.constant(NaN), fc.integer({ min: 0, max: 3 }))), fc.nat(40), (scores, k) => {
        const sel = topKIndices(scores, k);
        expect(sel).toHaveLength(Math.min(k, scores.length));
        expect(new Set(sel).size).toBe(sel.length);
        const key = (i: number): number => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
        const chosen = new Set(sel);
        const minSel = Math.min(...sel.map(key));
        for (let i = 0; i < scores.length; i++) if (!chosen.has(i)) expect(key(i)).toBeLessThanOrEqual(minSel);
        // same as a full stable sort
        const ref = scores
          .map((_, i) => i)
          .sort((a, b) => key(b) - key(a) || (Number.isNaN(scores[a]) ? 1 : 0) - (Number.isNaN(scores[b]) ? 1 : 0) || a - b)
          .slice(0, k);
        expect(sel).toEqual(ref);
      }),
    );
  });
});

describe('randomSample', () => {
  it('is reproducible from a seed and advances a passed generator', () => {
    const pop = Array.from({ length: 100 }, (_, i) => i);
    expect(randomSample(pop, 10, 7)).toEqual(randomSample(pop, 10, 7));
    expect(randomSample(pop, 10, 7)).not.toEqual(randomSample(pop, 10, 8));
    const r = new Mulberry32(7);
    const first = randomSample(pop, 10, r);
    expect(first).toEqual(randomSample(pop, 10, 7));
    expect(randomSample(pop, 10, r)).not.toEqual(first);
  });

  it('is uniform: each item is picked with probability k/n', () => {
    const n = 20;
    const k = 5;
    const trials = 20_000;
    const hits = new Array(n).fill(0);
    const r = new Mulberry32(1);
    for (let t = 0; t < trials; t++) for (const i of randomIndices(n, k, r)) hits[i]++;
    const expected = (trials * k) / n; // 5000, sd ≈ sqrt(5000·0.75) ≈ 61
    for (const h of hits) expect(Math.abs(h - expected)).toBeLessThan(300);
  });

  it('property: min(k, n) distinct candidates from the population', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.nat(250), fc.integer(), (n, k, seed) => {
        const pop = Array.from({ length: n }, (_, i) => ({ i }));
        const s = randomSample(pop, k, seed);
        expect(s).toHaveLength(Math.min(k, n));
        expect(new Set(s).size).toBe(s.length);
        for (const x of s) expect(pop[x.i]).toBe(x);
      }),
    );
  });
});
