import fc from 'fast-check';
import { Reservoir, ReservoirState } from './reservoir';

describe('Reservoir', () => {
  it('keeps the first `capacity` items, then stays at capacity', () => {
    const r = new Reservoir<number>(3, 1);
    r.addAll([10, 20]);
    expect(r.items).toEqual([10, 20]);
    r.addAll([30, 40, 50, 60]);
    expect(r.size).toBe(3);
    expect(r.seen).toBe(6);
    for (const x of r.items) expect([10, 20, 30, 40, 50, 60]).toContain(x);
  });

  it('is deterministic for a seed', () => {
    const a = new Reservoir<number>(5, 99);
    const b = new Reservoir<number>(5, 99);
    const stream = Array.from({ length: 1000 }, (_, i) => i);
    a.addAll(stream);
    b.addAll(stream);
    expect(a.items).toEqual(b.items);
  });

  it('round-trips through JSON and continues exactly like an uninterrupted reservoir', () => {
    const stream = Array.from({ length: 500 }, (_, i) => ({ id: i }));
    const whole = new Reservoir<{ id: number }>(7, 3);
    whole.addAll(stream);
    const first = new Reservoir<{ id: number }>(7, 3);
    first.addAll(stream.slice(0, 200));
    const saved = JSON.parse(JSON.stringify(first)) as ReservoirState<{ id: number }>;
    const resumed = Reservoir.fromJSON(saved);
    resumed.addAll(stream.slice(200));
    expect(resumed.items).toEqual(whole.items);
    expect(resumed.seen).toBe(500);
    expect(resumed.capacity).toBe(7);
  });

  it('rejects invalid capacity and malformed state', () => {
    expect(() => new Reservoir(0)).toThrow(RangeError);
    expect(() => new Reservoir(2.5)).toThrow(RangeError);
    expect(() => Reservoir.fromJSON({ version: 1, capacity: 2, seen: 5, rngState: 1, items: [1] })).toThrow(RangeError);
    expect(() => Reservoir.fromJSON({ version: 2 } as unknown as ReservoirState<number>)).toThrow(RangeError);
  });

  it('samples uniformly: each of 20 stream items is kept ~capacity/20 of the time', () => {
    // 4000 seeded runs of capacity 5 over the stream 0..19: expected inclusion count 1000 per item,
    // binomial sd ~ 27; a biased implementation (e.g. always replacing) fails this badly.
    const hits = new Array<number>(20).fill(0);
    for (let seed = 0; seed < 4000; seed++) {
      const r = new Reservoir<number>(5, seed);
      for (let i = 0; i < 20; i++) r.add(i);
      for (const x of r.items) hits[x]++;
    }
    for (const h of hits) {
      expect(h).toBeGreaterThan(880);
      expect(h).toBeLessThan(1120);
    }
  });

  it('property: never exceeds capacity, size = min(seen, capacity), items come from the stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer(), fc.array(fc.integer(), { maxLength: 200 }), (cap, seed, stream) => {
        const r = new Reservoir<number>(cap, seed);
        stream.forEach((x, i) => {
          r.add(x);
          expect(r.size).toBeLessThanOrEqual(cap);
          expect(r.size).toBe(Math.min(i + 1, cap));
        });
        for (const x of r.items) expect(stream).toContain(x);
      }),
    );
  });
});
