import fc from 'fast-check';
import { BudgetTracker, type BudgetLimits } from './budget';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2024, 0, 10); // midnight UTC

describe('BudgetTracker', () => {
  it('caps each clock hour and resets in the next one', () => {
    const b = new BudgetTracker({ perHour: 5 });
    expect(b.tryConsume(3, T0 + 10)).toBe(3);
    expect(b.tryConsume(3, T0 + 20)).toBe(2);
    expect(b.tryConsume(1, T0 + H - 1)).toBe(0);
    expect(b.available(T0 + H)).toBe(5);
    expect(b.tryConsume(4, T0 + H)).toBe(4);
    expect(b.used).toBe(9);
  });

  it('caps each UTC day and the total', () => {
    const b = new BudgetTracker({ perHour: 10, perDay: 15, total: 20 });
    expect(b.tryConsume(10, T0)).toBe(10);
    expect(b.tryConsume(10, T0 + H)).toBe(5);
    expect(b.tryConsume(10, T0 + 2 * H)).toBe(0);
    expect(b.tryConsume(10, T0 + D)).toBe(5); // new day, but only 5 left in total
    expect(b.tryConsume(1, T0 + 5 * D)).toBe(0);
    expect(b.available(T0 + 5 * D)).toBe(0);
  });

  it('charges late timestamps to their own window and refuses ones older than 24 hours', () => {
    const b = new BudgetTracker({ perHour: 2 });
    expect(b.tryConsume(2, T0 + 5 * H)).toBe(2);
    expect(b.tryConsume(5, T0 + 4 * H)).toBe(2); // an earlier hour still has room
    expect(b.tryConsume(5, T0 + 4 * H + 10)).toBe(0);
    expect(b.tryConsume(1, T0 + 5 * H - 24 * H)).toBe(0); // stale: refused
    expect(b.available(T0 + 5 * H - 24 * H)).toBe(0);
    expect(b.tryConsume(1, T0 + 5 * H - 23 * H)).toBe(1); // the oldest hour still kept
  });

  it('reports the use of the hour and day of a time, and the total', () => {
    const b = new BudgetTracker({ perHour: 10, perDay: 10 });
    b.tryConsume(4, T0 + 10);
    expect(b.tryConsume(7, T0 + H + 10)).toBe(6); // the day has 10
    expect(b.usage(T0 + H + 20)).toEqual({ hour: 6, day: 10, total: 10 });
    expect(b.usage(T0 + 20)).toEqual({ hour: 4, day: 10, total: 10 });
    expect(b.usage(T0 + 2 * H)).toEqual({ hour: 0, day: 10, total: 10 }); // nothing yet this hour
    expect(b.usage(T0 + D)).toEqual({ hour: 0, day: 0, total: 10 }); // a new day
    expect(b.available(T0 + D)).toBe(10);
  });

  it('unlimited when no cap is given; validates input', () => {
    const b = new BudgetTracker({});
    expect(b.tryConsume(1e6, T0)).toBe(1e6);
    expect(() => new BudgetTracker({ perHour: -1 })).toThrow(RangeError);
    expect(() => new BudgetTracker({ total: 1.5 })).toThrow(RangeError);
    expect(() => b.tryConsume(-1, T0)).toThrow(RangeError);
    expect(() => b.tryConsume(1, NaN)).toThrow(RangeError);
  });

  it('serialises to JSON and resumes exactly', () => {
    const b = new BudgetTracker({ perHour: 4, perDay: 10, total: 30 });
    b.tryConsume(3, T0);
    b.tryConsume(3, T0 + 3 * H);
    const json = JSON.parse(JSON.stringify(b.toJSON()));
    const c = BudgetTracker.fromJSON(json);
    expect(c.toJSON()).toEqual(b.toJSON());
    for (const [n, t] of [
      [3, T0 + 3 * H],
      [9, T0 + 5 * H],
      [9, T0 + D],
    ])
      expect(c.tryConsume(n, t)).toBe(b.tryConsume(n, t));
    expect(() => BudgetTracker.fromJSON({ ...json, version: 2 })).toThrow(TypeError);
  });

  const limits = fc.record({ perHour: fc.nat(20), perDay: fc.nat(60), total: fc.nat(200) }, { requiredKeys: [] }) as fc.Arbitrary<BudgetLimits>;
  // Times within ~4 days, in any order; plus occasional big jumps.
  const call = fc.record({ n: fc.nat(15), t: fc.oneof(fc.integer({ min: 0, max: 4 * D }), fc.integer({ min: -D, max: 40 * D })) });

  it('property: no hour, day or total cap is ever exceeded, for any sequence of calls and timestamps', () => {
    fc.assert(
      fc.property(limits, fc.array(call, { maxLength: 200 }), fc.nat(200), (lim, calls, snapshotAt) => {
        let b = new BudgetTracker(lim);
        const perHour = new Map<number, number>();
        const perDay = new Map<number, number>();
        let total = 0;
        calls.forEach(({ n, t }, i) => {
          if (i === snapshotAt) b = BudgetTracker.fromJSON(JSON.parse(JSON.stringify(b.toJSON())));
          const g = b.tryConsume(n, T0 + t);
          expect(g).toBeGreaterThanOrEqual(0);
          expect(g).toBeLessThanOrEqual(n);
          const h = Math.floor((T0 + t) / H);
          const d = Math.floor((T0 + t) / D);
          perHour.set(h, (perHour.get(h) ?? 0) + g);
          perDay.set(d, (perDay.get(d) ?? 0) + g);
          total += g;
        });
        if (lim.perHour !== undefined) for (const v of perHour.values()) expect(v).toBeLessThanOrEqual(lim.perHour);
        if (lim.perDay !== undefined) for (const v of perDay.values()) expect(v).toBeLessThanOrEqual(lim.perDay);
        if (lim.total !== undefined) expect(total).toBeLessThanOrEqual(lim.total);
        expect(b.used).toBe(total);
      }),
      { numRuns: 300 },
    );
  });

  it('property: with non-decreasing time it grants exactly min(n, room left)', () => {
    fc.assert(
      fc.property(limits, fc.array(call, { maxLength: 150 }), (lim, calls) => {
        const b = new BudgetTracker(lim);
        const perHour = new Map<number, number>();
        const perDay = new Map<number, number>();
        let total = 0;
        for (const { n, t } of [...calls].sort((x, y) => x.t - y.t)) {
          const h = Math.floor((T0 + t) / H);
          const d = Math.floor((T0 + t) / D);
          const room = Math.min(
            lim.perHour === undefined ? Infinity : lim.perHour - (perHour.get(h) ?? 0),
            lim.perDay === undefined ? Infinity : lim.perDay - (perDay.get(d) ?? 0),
            lim.total === undefined ? Infinity : lim.total - total,
          );
          const g = b.tryConsume(n, T0 + t);
          expect(g).toBe(Math.min(n, room));
          perHour.set(h, (perHour.get(h) ?? 0) + g);
          perDay.set(d, (perDay.get(d) ?? 0) + g);
          total += g;
        }
      }),
      { numRuns: 300 },
    );
  });
});
