/** What a full buffer does with one more event. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

/**
 * A bounded FIFO of items waiting to be sent: the batch being sent ("in flight") followed by
 * the items behind it ("pending"). Pure data structure: no I/O, no timers.
 *
 * - `size` (in flight + pending) never exceeds `capacity`.
 * - When full, `drop-newest` refuses the incoming item; `drop-oldest` evicts the oldest
 *   *pending* item. Items in flight are never evicted: the broker may already hold them, so
 *   counting them as dropped could be a lie. If every item is in flight, the incoming item is
 *   refused whatever the policy.
 * - A failed send leaves the in-flight batch where it is, to be retried; `ack()` removes it.
 * - Accepted items are numbered 1, 2, 3, ... so a caller can wait until everything accepted
 *   up to some number has left the buffer (`settled`).
 */
export class BoundedBuffer<T> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private pending = 0;
  private batch: T[] = [];
  private batchFirstSeq = 0;
  private accepted = 0;

  constructor(
    readonly capacity: number,
    readonly policy: OverflowPolicy,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<T | undefined>(capacity);
  }

  /** Items held: in flight + pending. */
  get size(): number {
    return this.batch.length + this.pending;
  }

  /** Items waiting behind the in-flight batch. */
  get pendingSize(): number {
    return this.pending;
  }

  /** The batch being sent (empty when none). */
  get inFlight(): readonly T[] {
    return this.batch;
  }

  /** Number of the last accepted item (0 before the first). */
  get lastSeq(): number {
    return this.accepted;
  }

  /**
   * Appends `item`. Returns the item dropped to respect the bound (the incoming one, or the
   * oldest pending one under `drop-oldest`), or undefined when nothing was dropped.
   */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.size >= this.capacity) {
      if (this.policy === 'drop-newest' || this.pending === 0) return item;
      dropped = this.shift();
    }
    this.ring[(this.head + this.pending) % this.capacity] = item;
    this.pending++;
    this.accepted++;
    return dropped;
  }

  /**
   * Moves up to `max` pending items into the in-flight batch and returns it. With `weigh`, it
   * also stops before the total weight would exceed `maxWeight` (but always takes one item).
   */
  take(max: number, maxWeight = Infinity, weigh?: (item: T) => number): readonly T[] {
    if (this.batch.length > 0) throw new Error('a batch is already in flight; ack() it first');
    this.batchFirstSeq = this.accepted - this.pending + 1;
    let weight = 0;
    while (this.batch.length < max && this.pending > 0) {
      if (weigh) {
        weight += weigh(this.ring[this.head] as T);
        if (weight > maxWeight && this.batch.length > 0) break;
      }
      this.batch.push(this.shift());
    }
    return this.batch;
  }

  /** The in-flight batch was acknowledged: removes it and returns how many items it held. */
  ack(): number {
    const n = this.batch.length;
    this.batch = [];
    return n;
  }

  /** Removes everything (in flight and pending); returns how many items were removed. */
  clear(): number {
    const n = this.size;
    this.batch = [];
    while (this.pending > 0) this.shift();
    return n;
  }

  /** True when no item numbered `seq` or lower is still in the buffer. */
  settled(seq: number): boolean {
    const oldest = this.batch.length > 0 ? this.batchFirstSeq : this.accepted - this.pending + 1;
    return this.size === 0 || oldest > seq;
  }

  private shift(): T {
    const item = this.ring[this.head] as T;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.pending--;
    return item;
  }
}
