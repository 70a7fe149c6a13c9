/**
 * Fixed-capacity uniform reservoir sample of a stream (bounded memory, persistable).
 */
import { Mulberry32 } from './prng';

/** JSON form of a {@link Reservoir}; store it and pass it to {@link Reservoir.fromJSON} to resume. */
export interface ReservoirState<T> {
  /** Format version (currently 1). */
  version: 1;
  /** Maximum number of retained items. */
  capacity: number;
  /** Number of items offered so far. */
  seen: number;
  /** mulberry32 state, so the resumed reservoir makes the same decisions as an uninterrupted one. */
  rngState: number;
  /** Retained items (at most `capacity`). */
  items: T[];
}

/**
 * Uniform random sample of at most `capacity` items from a stream of unknown length, using
 * Vitter's Algorithm R: the first `capacity` items are kept; item number t (1-based, t > capacity)
 * replaces a uniformly chosen slot with probability capacity/t. Memory is O(capacity) no matter how
 * long the stream is. Decisions come from a seeded mulberry32 generator, so the sample is a
 * deterministic function of (seed, stream); the generator state is included in {@link Reservoir.toJSON}.
 * Items must be JSON-serialisable for persistence.
 */
export class Reservoir<T = number> {
  private readonly buf: T[] = [];
  private rng: Mulberry32;
  private count = 0;

  /**
   * @param capacity - maximum retained items, a positive integer.
   * @param seed - PRNG seed (default 0).
   */
  constructor(
    readonly capacity: number,
    seed = 0,
  ) {
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError(`Reservoir: capacity must be a positive integer, got ${capacity}`);
    }
    this.rng = new Mulberry32(seed);
  }

  /** Number of items offered so far (not the number retained). */
  get seen(): number {
    return this.count;
  }

  /** Number of retained items: min(seen, capacity). */
  get size(): number {
    return this.buf.length;
  }

  /** A copy of the retained items (order is an implementation detail). */
  get items(): T[] {
    return this.buf.slice();
  }

  /**
   * Offer one stream item.
   * @param item - the item.
   */
  add(item: T): void {
    this.count++;
    if (this.buf.length < this.capacity) {
      this.buf.push(item);
      return;
    }
    const j = this.rng.nextInt(this.count);
    if (j < this.capacity) this.buf[j] = item;
  }

  /**
   * Offer several items in order.
   * @param items - iterable of items.
   */
  addAll(items: Iterable<T>): void {
    for (const it of items) this.add(it);
  }

  /** Serialisable snapshot (items are copied shallowly). */
  toJSON(): ReservoirState<T> {
    return { version: 1, capacity: this.capacity, seen: this.count, rngState: this.rng.state, items: this.buf.slice() };
  }

  /**
   * Restore a reservoir from {@link Reservoir.toJSON} output (e.g. after `JSON.parse`).
   * @param state - a previously saved state.
   * @throws RangeError when the state is inconsistent.
   */
  static fromJSON<T>(state: ReservoirState<T>): Reservoir<T> {
    if (state === null || typeof state !== 'object' || state.version !== 1) {
      throw new RangeError('Reservoir.fromJSON: unsupported state');
    }
    const r = new Reservoir<T>(state.capacity);
    if (!Array.isArray(state.items) || !(Number.isInteger(state.seen) && state.seen >= 0)) {
      throw new RangeError('Reservoir.fromJSON: malformed state');
    }
    if (state.items.length !== Math.min(state.seen, state.capacity)) {
      throw new RangeError('Reservoir.fromJSON: items.length must equal min(seen, capacity)');
    }
    r.rng = Mulberry32.fromState(state.rngState);
    r.count = state.seen;
    r.buf.push(...state.items);
    return r;
  }
}
