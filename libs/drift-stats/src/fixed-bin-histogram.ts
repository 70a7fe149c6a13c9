/**
 * Streaming histogram on fixed edges (bounded memory, persistable).
 */
import { assertValidEdges, binIndex, equalWidthEdges } from './binning';

/** JSON form of a {@link FixedBinHistogram}. */
export interface FixedBinHistogramState {
  /** Format version (currently 1). */
  version: 1;
  /** Strictly increasing bin edges (length = bins + 1). */
  edges: number[];
  /** In-range counts per bin (length = bins). */
  counts: number[];
  /** Values below the first edge. */
  underflow: number;
  /** Values above the last edge. */
  overflow: number;
  /** NaN values. */
  nan: number;
}

/**
 * Histogram with fixed, strictly increasing edges, for accumulating a feature's distribution over a
 * stream in O(bins) memory. Bin i is [edges[i], edges[i+1]) and the last bin also includes its right
 * edge (NumPy `np.histogram` convention). Values outside the edges go to `underflow`/`overflow`,
 * NaN to `nan`; none of these are lost. Serialisable with {@link FixedBinHistogram.toJSON}.
 */
export class FixedBinHistogram {
  private readonly e: number[];
  private readonly c: number[];
  private under = 0;
  private over = 0;
  private nans = 0;

  /**
   * @param edges - at least two finite, strictly increasing edges.
   * @throws RangeError on invalid edges.
   */
  constructor(edges: ArrayLike<number>) {
    assertValidEdges(edges);
    this.e = Array.from(edges);
    this.c = new Array<number>(this.e.length - 1).fill(0);
  }

  /**
   * Histogram with `bins` equal-width bins spanning the range of a reference sample (NumPy
   * `histogram_bin_edges(reference, bins)`), counting nothing yet.
   * @param reference - non-empty sample of finite values.
   * @param bins - number of bins (default 10).
   */
  static fromReference(reference: ArrayLike<number>, bins = 10): FixedBinHistogram {
    return new FixedBinHistogram(equalWidthEdges([reference], bins));
  }

  /** Copy of the bin edges. */
  get edges(): number[] {
    return this.e.slice();
  }

  /** Copy of the in-range counts per bin. */
  get counts(): number[] {
    return this.c.slice();
  }

  /** Number of values below the first edge. */
  get underflow(): number {
    return this.under;
  }

  /** Number of values above the last edge. */
  get overflow(): number {
    return this.over;
  }

  /** Number of NaN values offered. */
  get nan(): number {
    return this.nans;
  }

  /** Sum of in-range counts. */
  get total(): number {
    return this.c.reduce((s, x) => s + x, 0);
  }

  /** Every value offered: in-range + underflow + overflow + NaN. */
  get totalSeen(): number {
    return this.total + this.under + this.over + this.nans;
  }

  /**
   * Count one value.
   * @param x - value (NaN and out-of-range values are tallied separately).
   */
  add(x: number): void {
    const b = binIndex(this.e, x);
    if (Number.isNaN(b)) this.nans++;
    else if (b < 0) this.under++;
    else if (b >= this.c.length) this.over++;
    else this.c[b]++;
  }

  /**
   * Count several values.
   * @param xs - values.
   */
  addAll(xs: Iterable<number>): void {
    for (const x of xs) this.add(x);
  }

  /**
   * Add another histogram's counts (same edges required), e.g. to combine partitions.
   * @param other - histogram with identical edges.
   */
  merge(other: FixedBinHistogram): void {
    const oe = other.e;
    if (oe.length !== this.e.length || oe.some((v, i) => v !== this.e[i])) {
      throw new RangeError('FixedBinHistogram.merge: edges differ');
    }
    other.c.forEach((v, i) => (this.c[i] += v));
    this.under += other.under;
    this.over += other.over;
    this.nans += other.nans;
  }

  /** In-range proportions per bin (counts / total); all zeros when nothing is in range. */
  proportions(): number[] {
    const t = this.total;
    return this.c.map((v) => (t > 0 ? v / t : 0));
  }

  /** Serialisable snapshot. */
  toJSON(): FixedBinHistogramState {
    return {
      version: 1,
      edges: this.e.slice(),
      counts: this.c.slice(),
      underflow: this.under,
      overflow: this.over,
      nan: this.nans,
    };
  }

  /**
   * Restore a histogram saved with {@link FixedBinHistogram.toJSON}.
   * @param state - saved state.
   * @throws RangeError on a malformed state.
   */
  static fromJSON(state: FixedBinHistogramState): FixedBinHistogram {
    if (state === null || typeof state !== 'object' || state.version !== 1) {
      throw new RangeError('FixedBinHistogram.fromJSON: unsupported state');
    }
    const h = new FixedBinHistogram(state.edges);
    const okCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
    if (!Array.isArray(state.counts) || state.counts.length !== h.c.length || !state.counts.every(okCount)) {
      throw new RangeError('FixedBinHistogram.fromJSON: counts must be non-negative integers, one per bin');
    }
    if (![state.underflow, state.overflow, state.nan].every(okCount)) {
      throw new RangeError('FixedBinHistogram.fromJSON: malformed underflow/overflow/nan');
    }
    state.counts.forEach((v, i) => (h.c[i] = v));
    h.under = state.underflow;
    h.over = state.overflow;
    h.nans = state.nan;
    return h;
  }
}
