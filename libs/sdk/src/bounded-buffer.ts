/** What a full buffer does with one more event. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

/**
 * A bounded FIFO of items waiting to be sent: the batch being sent ("in flight") followed by
 * the items behind it ("pending"). Pure data structure: no I/O, no timers.
 *
 * - Bounded twice: `size` (in flight + pending) never exceeds `capacity`, and `weight` (the sum
 *   of the weights given to `push`, e.g. estimated bytes) never exceeds `maxWeight`.
 * - When an item does not fit, `drop-newest` refuses it; `drop-oldest` evicts the oldest
 *   *pending* items until it fits. Items in flight are never evicted: the broker may already
 *   hold them, so counting them as dropped could be a lie. If the item would not fit even with
 *   every pending item evicted, it is refused whatever the policy (and nothing is evicted).
 * - A pending item's weight can be corrected once it is known exactly (`reweigh`).
 * - A failed send leaves the in-flight batch where it is, to be retried; `ack()` removes it.
 * - Accepted items are numbered 1, 2, 3, ... so a caller can wait until everything accepted
 *   up to some number has left the buffer (`settled`).
 */
export class BoundedBuffer<T> {
  private readonly ring: (T | undefined)[];
  private readonly weights: Float64Array;
  private head = 0;
  private pending = 0;
  private pendingWeight = 0;
  private batch: T[] = [];
  private batchWeight = 0;
  private batchFirstSeq = 0;
  private accepted = 0;

  constructor(
    readonly capacity: number,
    readonly policy: OverflowPolicy,
    /** Most total weight held (in flight + pending). */
    readonly maxWeight = Infinity,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    if (!(maxWeight > 0)) throw new RangeError(`maxWeight must be positive, got ${maxWeight}`);
    this.ring = new Array<T | undefined>(capacity);
    this.weights = new Float64Array(capacity);
  }

  /** Items held: in flight + pending. */
  get size(): number {
    return this.batch.length + this.pending;
  }

  /** Total weight held: in flight + pending. */
  get weight(): number {
    return this.batchWeight + this.pendingWeight;
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
   * Appends `item` weighing `weight`. Returns how many items were dropped to respect the
   * bounds: 0, 1 when the incoming item is refused, or the number of pending items evicted
   * under `drop-oldest`.
   */
  push(item: T, weight = 0): number {
    let evicted = 0;
    if (this.size >= this.capacity || this.weight + weight > this.maxWeight) {
      const fitsAlone = this.batch.length < this.capacity && this.batchWeight + weight <= this.maxWeight;
      if (this.policy === 'drop-newest' || !fitsAlone) return 1;
      while (this.size >= this.capacity || this.weight + weight > this.maxWeight) {
        this.shift();
        evicted++;
      }
    }
    const at = (this.head + this.pending) % this.capacity;
    this.ring[at] = item;
    this.weights[at] = weight;
    this.pendingWeight += weight;
    this.pending++;
    this.accepted++;
    return evicted;
  }

  /** The `k`-th pending item (0 = the oldest, the next to be taken), or undefined past the end. */
  at(k: number): T | undefined {
    return k >= 0 && k < this.pending ? this.ring[(this.head + k) % this.capacity] : undefined;
  }

  /** Weight of the `k`-th pending item (0 past the end). */
  weightAt(k: number): number {
    return k >= 0 && k < this.pending ? this.weights[(this.head + k) % this.capacity] : 0;
  }

  /** Replaces the weight of the `k`-th pending item, e.g. an estimate by the exact figure. */
  reweigh(k: number, weight: number): void {
    if (k < 0 || k >= this.pending) return;
    const i = (this.head + k) % this.capacity;
    this.pendingWeight += weight - this.weights[i];
    this.weights[i] = weight;
  }

  /** Removes the oldest pending item without sending it (e.g. it turned out invalid). */
  discardHead(): T | undefined {
    return this.pending > 0 ? this.shift() : undefined;
  }

  /** Moves the oldest pending item to the end of the in-flight batch. */
  takeHead(): void {
    if (this.pending === 0) return;
    if (this.batch.length === 0) this.batchFirstSeq = this.accepted - this.pending + 1;
    this.batchWeight += this.weights[this.head];
    this.batch.push(this.shift());
  }

  /**
   * Moves up to `max` pending items into the in-flight batch and returns it, stopping before
   * the batch's total weight would exceed `maxBatchWeight` (but always taking one item).
   */
  take(max: number, maxBatchWeight = Infinity): readonly T[] {
    if (this.batch.length > 0) throw new Error('a batch is already in flight; ack() it first');
    while (this.batch.length < max && this.pending > 0) {
      if (this.batch.length > 0 && this.batchWeight + this.weightAt(0) > maxBatchWeight) break;
      this.takeHead();
    }
    return this.batch;
  }

  /** The in-flight batch was acknowledged: removes it and returns how many items it held. */
  ack(): number {
    const n = this.batch.length;
    this.batch = [];
    this.batchWeight = 0;
    return n;
  }

  /** Removes everything (in flight and pending); returns how many items were removed. */
  clear(): number {
    const n = this.size;
    this.ack();
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
    this.pendingWeight -= this.weights[this.head];
    this.head = (this.head + 1) % this.capacity;
    this.pending--;
    return item;
  }
}
