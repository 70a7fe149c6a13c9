import fc from 'fast-check';
import { Mulberry32, shuffleInPlace } from './prng';

// First three outputs of canonical mulberry32 with seed 0 (also: mulberry32(0)() === 0.26642920868471265).
const MULBERRY32_SEED0 = [1144304738, 1416247, 958946056];

describe('Mulberry32', () => {
  it('produces the reference mulberry32 sequence', () => {
    // Reference: the canonical mulberry32 (Tommy Ettinger) with seed 0, first three uint32 outputs,
    // computed independently in Python:
    //   def mulberry32(s):
    //       while True:
    //           s = (s + 0x6D2B79F5) & 0xFFFFFFFF; t = s
    //           t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
    //           t ^= (t + ((t ^ (t >> 7)) * (t | 61) & 0xFFFFFFFF)) & 0xFFFFFFFF
    //           yield (t ^ (t >> 14)) & 0xFFFFFFFF
    const r = new Mulberry32(0);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual(MULBERRY32_SEED0);
  });

  it('resumes exactly from a saved state', () => {
    const a = new Mulberry32(123);
    for (let i = 0; i < 10; i++) a.next();
    const b = Mulberry32.fromState(a.state);
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(Array.from({ length: 5 }, () => a.next()));
  });

  it('validates seed and state', () => {
    expect(() => new Mulberry32(NaN)).toThrow(RangeError);
    expect(() => Mulberry32.fromState(-1)).toThrow(RangeError);
    expect(() => Mulberry32.fromState(2 ** 32)).toThrow(RangeError);
  });

  it('property: next() in [0, 1), nextInt(n) in [0, n)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const r = new Mulberry32(seed);
        for (let i = 0; i < 20; i++) {
          const x = r.next();
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
          const k = r.nextInt(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
      }),
    );
  });
});

describe('shuffleInPlace', () => {
  it('is a deterministic permutation', () => {
    const a = shuffleInPlace([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], new Mulberry32(5));
    const b = shuffleInPlace([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], new Mulberry32(5));
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
