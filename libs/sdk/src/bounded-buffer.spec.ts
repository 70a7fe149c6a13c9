import fc from 'fast-check';
import { BoundedBuffer, OverflowPolicy } from './bounded-buffer';

/** Pushes from..to (weighing `weigh(i)` each); returns how many items were dropped. */
const fill = (b: BoundedBuffer<number>, from: number, to: number, weigh = (_: number) => 0) => {
  let dropped = 0;
  for (let i = from; i <= to; i++) dropped += b.push(i, weigh(i));
  return dropped;
};

describe('BoundedBuffer', () => {
  it('drop-newest refuses incoming items once full and keeps the first ones', () => {
    const b = new BoundedBuffer<number>(3, 'drop-newest');
    expect(fill(b, 1, 5)).toBe(2);
    expect(b.size).toBe(3);
    expect(b.lastSeq).toBe(3);
    expect(b.take(10)).toEqual([1, 2, 3]);
  });

  it('drop-oldest evicts the oldest pending items and keeps the last ones', () => {
    const b = new BoundedBuffer<number>(3, 'drop-oldest');
    expect(fill(b, 1, 5)).toBe(2);
    expect(b.size).toBe(3);
    expect(b.take(10)).toEqual([3, 4, 5]);
  });

  it('drop-oldest never evicts the batch in flight', () => {
    const b = new BoundedBuffer<number>(4, 'drop-oldest');
    fill(b, 1, 4);
    expect(b.take(2)).toEqual([1, 2]);
    expect(fill(b, 5, 6)).toBe(2); // pending 3 and 4 evicted, in-flight kept
    expect(b.inFlight).toEqual([1, 2]);
    expect(b.size).toBe(4);
    b.ack();
    expect(b.take(10)).toEqual([5, 6]);
  });

  it('refuses the incoming item under drop-oldest when everything is in flight', () => {
    const b = new BoundedBuffer<number>(2, 'drop-oldest');
    fill(b, 1, 2);
    b.take(2);
    expect(b.push(3)).toBe(1);
    expect(b.inFlight).toEqual([1, 2]);
    b.ack();
    expect(b.take(5)).toEqual([]);
  });

  it('keeps a failed batch in flight until ack, and refuses a second take', () => {
    const b = new BoundedBuffer<number>(10, 'drop-newest');
    fill(b, 1, 5);
    b.take(3);
    expect(() => b.take(3)).toThrow(/already in flight/);
    expect(b.inFlight).toEqual([1, 2, 3]); // a retry sends the same batch
    expect(b.ack()).toBe(3);
    expect(b.size).toBe(2);
    expect(b.take(3)).toEqual([4, 5]);
  });

  it('take() stops at a weight budget but always takes one item', () => {
    const b = new BoundedBuffer<number>(10, 'drop-newest');
    fill(b, 1, 6, (x) => x); // weights = the numbers
    expect(b.take(10, 6)).toEqual([1, 2, 3]);
    b.ack();
    expect(b.take(10, 3)).toEqual([4]); // heavier than the budget alone
    b.ack();
    expect(b.take(10, 100)).toEqual([5, 6]);
  });

  it('holds at most maxWeight: drop-newest refuses, drop-oldest evicts just enough pending items', () => {
    const newest = new BoundedBuffer<number>(100, 'drop-newest', 10);
    expect(fill(newest, 1, 5, () => 3)).toBe(2);
    expect(newest.weight).toBe(9);
    expect(newest.take(100)).toEqual([1, 2, 3]);
    const oldest = new BoundedBuffer<number>(100, 'drop-oldest', 10);
    fill(oldest, 1, 3, () => 3);
    expect(oldest.push(4, 7)).toBe(2); // 9 + 7 > 10: evicts 1 and 2 (weight 6)
    expect(oldest.take(100)).toEqual([3, 4]);
    expect(oldest.push(5, 11)).toBe(1); // heavier than the bound alone: refused, nothing evicted
    expect(oldest.push(6, 1)).toBe(1); // only the in-flight batch (10) is held: cannot make room
    oldest.ack();
    expect(oldest.weight).toBe(0);
  });

  it('reweigh replaces an estimate, and the bound then uses the exact weight', () => {
    const b = new BoundedBuffer<number>(100, 'drop-newest', 10);
    fill(b, 1, 2, () => 1);
    expect([b.at(0), b.at(1), b.at(2)]).toEqual([1, 2, undefined]);
    b.reweigh(0, 8);
    expect(b.weight).toBe(9);
    expect(b.weightAt(0)).toBe(8);
    expect(b.push(3, 2)).toBe(1);
    expect(b.discardHead()).toBe(1);
    expect(b.weight).toBe(1);
    expect(b.push(3, 2)).toBe(0);
    expect(b.take(100)).toEqual([2, 3]);
  });

  it('settled(seq) says when everything accepted up to seq has left', () => {
    const b = new BoundedBuffer<number>(10, 'drop-newest');
    expect(b.settled(0)).toBe(true);
    fill(b, 1, 5);
    const target = b.lastSeq;
    b.take(3);
    fill(b, 6, 7);
    expect(b.settled(target)).toBe(false);
    b.ack();
    expect(b.settled(3)).toBe(true);
    expect(b.settled(target)).toBe(false);
    b.take(10);
    b.ack();
    expect(b.settled(target)).toBe(true);
    expect(b.settled(b.lastSeq)).toBe(true);
  });

  it('drop-oldest eviction settles a waiter on the evicted items', () => {
    const b = new BoundedBuffer<number>(2, 'drop-oldest');
    fill(b, 1, 2);
    const target = b.lastSeq;
    fill(b, 3, 4);
    expect(b.settled(target)).toBe(true);
    expect(b.settled(b.lastSeq)).toBe(false);
  });

  it('clear() empties in-flight and pending and says how many', () => {
    const b = new BoundedBuffer<number>(5, 'drop-newest');
    fill(b, 1, 5);
    b.take(2);
    expect(b.clear()).toBe(5);
    expect(b.size).toBe(0);
    expect(b.settled(b.lastSeq)).toBe(true);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new BoundedBuffer(0, 'drop-newest')).toThrow(RangeError);
  });

  // Model check: random push/take/ack/fail sequences against a plain array model.
  it('matches a simple model: bound, FIFO order, exact drop accounting', () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('push' as const), w: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ t: fc.constant('take' as const), n: fc.integer({ min: 1, max: 6 }) }),
      fc.constant({ t: 'ack' as const }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom<OverflowPolicy>('drop-newest', 'drop-oldest'),
        fc.array(op, { maxLength: 200 }),
        (cap, maxWeight, policy, ops) => {
          const b = new BoundedBuffer<number>(cap, policy, maxWeight);
          let inflight: number[] = [];
          let pending: number[] = [];
          const weightOf = new Map<number, number>();
          const sum = (xs: number[]) => xs.reduce((n, x) => n + (weightOf.get(x) ?? 0), 0);
          const fits = (w: number) => inflight.length + pending.length < cap && sum(inflight) + sum(pending) + w <= maxWeight;
          const sent: number[] = [];
          let next = 0;
          let dropped = 0;
          for (const o of ops) {
            if (o.t === 'push') {
              const item = next++;
              weightOf.set(item, o.w);
              let expectDrops = 0;
              if (!fits(o.w)) {
                const fitsAlone = inflight.length < cap && sum(inflight) + o.w <= maxWeight;
                if (policy === 'drop-newest' || !fitsAlone) expectDrops = 1;
                else {
                  while (!fits(o.w)) {
                    pending.shift();
                    expectDrops++;
                  }
                }
              }
              if (fits(o.w)) pending.push(item); // refused items do not fit; after evictions they do
              dropped += expectDrops;
              expect(b.push(item, o.w)).toBe(expectDrops);
            } else if (o.t === 'take' && inflight.length === 0) {
              inflight = pending.slice(0, o.n);
              pending = pending.slice(o.n);
              expect(b.take(o.n)).toEqual(inflight);
            } else if (o.t === 'ack') {
              sent.push(...inflight);
              expect(b.ack()).toBe(inflight.length);
              inflight = [];
            }
            expect(b.size).toBe(inflight.length + pending.length);
            expect(b.size).toBeLessThanOrEqual(cap);
            expect(b.weight).toBe(sum(inflight) + sum(pending));
            expect(b.weight).toBeLessThanOrEqual(maxWeight);
          }
          // Every item is sent, dropped or still held; sent items came out in order.
          expect(sent.length + dropped + b.size).toBe(next);
          expect([...sent].sort((x, y) => x - y)).toEqual(sent);
        },
      ),
    );
  });
});
