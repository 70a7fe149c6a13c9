import fc from 'fast-check';
import { argmaxClass, entropy, leastConfidence, margin, uncertainty, UNCERTAINTY_MEASURES } from './scores';
import { selectTopK } from './select';

/** Arbitrary probability map over 1..6 classes, normalised to sum to 1. */
const probMap = fc
  .array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 })
  .filter((w) => w.reduce((a, b) => a + b, 0) > 1e-9)
  .map((w) => {
    const s = w.reduce((a, b) => a + b, 0);
    return Object.fromEntries(w.map((x, i) => [`c${i}`, Math.min(1, x / s)]));
  });

describe('uncertainty scores', () => {
  it('computes hand-checked values', () => {
    expect(leastConfidence({ a: 0.7, b: 0.2, c: 0.1 })).toBeCloseTo(0.3, 12);
    expect(margin({ a: 0.7, b: 0.2, c: 0.1 })).toBeCloseTo(0.5, 12);
    expect(margin({ a: 0.1, b: 0.45, c: 0.45 })).toBeCloseTo(1, 12);
    expect(margin({ only: 1 })).toBe(0);
    // −(0.7 ln 0.7 + 0.2 ln 0.2 + 0.1 ln 0.1) = 0.8018185525433373 (computed with Python math.log)
    expect(entropy({ a: 0.7, b: 0.2, c: 0.1 }, { normalize: false })).toBeCloseTo(0.8018185525433373, 12);
    expect(entropy({ a: 0.7, b: 0.2, c: 0.1 })).toBeCloseTo(0.8018185525433373 / Math.log(3), 12);
    expect(entropy({ a: 0.5, b: 0.5 })).toBeCloseTo(1, 12);
    expect(entropy({ a: 1, b: 0 })).toBe(0);
    expect(entropy({ a: 1 })).toBe(0);
  });

  it('normalises entropy by the given number of classes', () => {
    expect(entropy({ a: 0.5, b: 0.5 }, { numClasses: 4 })).toBeCloseTo(0.5, 12);
    expect(() => entropy({ a: 0.5, b: 0.5 }, { numClasses: 1 })).toThrow(RangeError);
  });

  it('dispatches by name and rejects bad input', () => {
    const p = { a: 0.6, b: 0.4 };
    expect(uncertainty('leastConfidence', p)).toBe(leastConfidence(p));
    expect(uncertainty('margin', p)).toBe(margin(p));
    expect(uncertainty('entropy', p)).toBe(entropy(p));
    expect(() => leastConfidence({})).toThrow(RangeError);
    expect(() => margin({ a: 1.5 })).toThrow(RangeError);
    expect(() => entropy({ a: NaN })).toThrow(RangeError);
    expect(() => uncertainty('nope' as never, p)).toThrow(RangeError);
  });

  it('argmaxClass ignores key order on ties', () => {
    expect(argmaxClass({ b: 0.5, a: 0.5 })).toBe('a');
    expect(argmaxClass({ a: 0.2, b: 0.8 })).toBe('b');
  });

  it('the most uncertain candidate is picked first by every measure', () => {
    const cands = [
      { id: 'sure', probs: { spam: 0.99, ham: 0.01 } },
      { id: 'coin', probs: { spam: 0.51, ham: 0.49 } },
      { id: 'lean', probs: { spam: 0.2, ham: 0.8 } },
    ];
    for (const m of UNCERTAINTY_MEASURES) {
      expect(selectTopK(cands, 2, (c) => uncertainty(m, c.probs)).map((c) => c.id)).toEqual(['coin', 'lean']);
    }
  });

  it('property: scores are in [0, 1] and 0 exactly for a one-hot prediction', () => {
    fc.assert(
      fc.property(probMap, (p) => {
        for (const m of UNCERTAINTY_MEASURES) {
          const s = uncertainty(m, p);
          expect(s).toBeGreaterThanOrEqual(-1e-12);
          expect(s).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.nat(5), (K, hot) => {
        const p = Object.fromEntries(Array.from({ length: K }, (_, i) => [`c${i}`, i === hot % K ? 1 : 0]));
        for (const m of UNCERTAINTY_MEASURES) expect(uncertainty(m, p)).toBe(0);
      }),
    );
  });

  it('property: margin and least confidence match a sort-based reference, whatever the key order', () => {
    fc.assert(
      fc.property(probMap, (p) => {
        const v = Object.values(p).sort((a, b) => b - a);
        expect(margin(p)).toBeCloseTo(1 - (v[0] - (v[1] ?? 0)), 12);
        expect(leastConfidence(p)).toBeCloseTo(1 - v[0], 12);
      }),
    );
    expect(margin({ a: 0.2, b: 0.1, c: 0.7 })).toBeCloseTo(0.5, 12);
  });

  it('property: with two classes all measures rank predictions the same way', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, y) => {
        const a = { s: x, h: 1 - x };
        const b = { s: y, h: 1 - y };
        const sign = (m: (typeof UNCERTAINTY_MEASURES)[number]): number => Math.sign(uncertainty(m, a) - uncertainty(m, b));
        const closer = Math.sign(Math.abs(y - 0.5) - Math.abs(x - 0.5)); // a more uncertain iff x closer to 0.5
        if (Math.abs(Math.abs(x - 0.5) - Math.abs(y - 0.5)) > 1e-9) {
          expect(sign('leastConfidence')).toBe(closer);
          expect(sign('margin')).toBe(closer);
          expect(sign('entropy')).toBe(closer);
        }
      }),
    );
  });
});
