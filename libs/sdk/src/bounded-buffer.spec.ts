import fc from 'fast-check';
import { BoundedBuffer, OverflowPolicy } from './bounded-buffer';

const fill = (b: BoundedBuffer<number>, from: number, to: number) => {
  const dropped: number[] = [];
  for (let i = from; i <= to; i++) {
    const d = b.push(i);
    if (d !== undefined) dropped.push(d);
  }
  return dropped;
};

describe('BoundedBuffer', () => {
  it('drop-newest refuses incoming items once full and keeps the first ones', () => {
    const b = new BoundedBuffer<number>(3, 'drop-newest');
    expect(fill(b, 1, 5)).toEqual([4, 5]);
    expect(b.size).toBe(3);
    expect(b.lastSeq).toBe(3);
    expect(b.take(10)).toEqual([1, 2, 3]);
  });

  it('drop-oldest evicts the oldest pending items and keeps the last ones', () => {
    const b = new BoundedBuffer<number>(3, 'drop-oldest');
    expect(fill(b, 1, 5)).toEqual([1, 2]);
    expect(b.size).toBe(3);
    expect(b.take(10)).toEqual([3, 4, 5]);
  });

  it('drop-oldest never evicts the batch in flight', () => {
    const b = new BoundedBuffer<number>(4, 'drop-oldest');
    fill(b, 1, 4);
    expect(b.take(2)).toEqual([1, 2]);
    expect(fill(b, 5, 6)).toEqual([3, 4]); // pending evicted, in-flight kept
    expect(b.inFlight).toEqual([1, 2]);
    expect(b.size).toBe(4);
    b.ack();
    expect(b.take(10)).toEqual([5, 6]);
  });

  it('refuses the incoming item under drop-oldest when everything is in flight', () => {
    const b = new BoundedBuffer<number>(2, 'drop-oldest');
    fill(b, 1, 2);
    b.take(2);
    expect(b.push(3)).toBe(3);
    expect(b.inFlight).toEqual([1, 2]);
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
    fill(b, 1, 6); // weights = the numbers
    expect(b.take(10, 6, (x) => x)).toEqual([1, 2, 3]);
    b.ack();
    expect(b.take(10, 3, (x) => x)).toEqual([4]); // heavier than the budget alone
    b.ack();
    expect(b.take(10, 100, (x) => x)).toEqual([5, 6]);
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
    const op = fc.oneof(fc.constant({ t: 'push' as const }), fc.record({ t: fc.constant('take' as const), n: fc.integer({ min: 1, max: 6 }) }), fc.constant({ t: 'ack' as const }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.constantFrom<OverflowPolicy>('drop-newest', 'drop-oldest'), fc.array(op, { maxLength: 200 }), (cap, policy, ops) => {
        const b = new BoundedBuffer<number>(cap, policy);
        let inflight: number[] = [];
        let pending: number[] = [];
        const sent: number[] = [];
        let next = 0;
        let dropped = 0;
        for (const o of ops) {
          if (o.t === 'push') {
            const item = next++;
            let expectDrop: number | undefined;
            if (inflight.length + pending.length >= cap) {
              if (policy === 'drop-newest' || pending.length === 0) expectDrop = item;
              else expectDrop = pending.shift();
            }
            if (expectDrop !== item) pending.push(item);
            if (expectDrop !== undefined) dropped++;
            expect(b.push(item)).toBe(expectDrop);
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
        }
        // Every item is sent, dropped or still held; sent items came out in order.
        expect(sent.length + dropped + b.size).toBe(next);
        expect([...sent].sort((x, y) => x - y)).toEqual(sent);
      }),
    );
  });
});
