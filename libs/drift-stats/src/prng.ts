/**
 * A tiny, seedable, serialisable pseudo-random number generator (mulberry32).
 *
 * Mulberry32 has a single 32-bit word of state, so it can be persisted as one integer
 * (see {@link Mulberry32.state}) and resumed exactly. It is **not** cryptographically secure;
 * it is used here only to make permutation tests and reservoir sampling reproducible.
 */
export class Mulberry32 {
  private s: number;

  /**
   * @param seed - any finite number; it is reduced to an unsigned 32-bit integer (`seed >>> 0`).
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`Mulberry32: seed must be a finite number, got ${seed}`);
    }
    this.s = seed >>> 0;
  }

  /** The current internal state (an unsigned 32-bit integer); pass it to {@link Mulberry32.fromState} to resume. */
  get state(): number {
    return this.s;
  }

  /**
   * Recreate a generator from a state previously read from {@link Mulberry32.state}.
   * @param state - unsigned 32-bit integer state.
   */
  static fromState(state: number): Mulberry32 {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) {
      throw new RangeError(`Mulberry32: state must be an unsigned 32-bit integer, got ${state}`);
    }
    return new Mulberry32(state);
  }

  /** Next unsigned 32-bit integer in [0, 2^32). */
  nextUint32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Next double uniformly distributed in [0, 1) (32 bits of randomness). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Uniform integer in [0, n).
   * @param n - exclusive upper bound, a positive integer not above 2^32.
   */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * In-place Fisher–Yates shuffle driven by a {@link Mulberry32} generator.
 * @param arr - array (or typed array) to shuffle in place.
 * @param rng - seeded generator; the result is a deterministic function of its state.
 * @returns the same array, shuffled.
 */
export function shuffleInPlace<A extends { length: number; [i: number]: number }>(arr: A, rng: Mulberry32): A {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = arr[i];
    arr[i] = arr[j];
    arr[j] = tmp;
  }
  return arr;
}
