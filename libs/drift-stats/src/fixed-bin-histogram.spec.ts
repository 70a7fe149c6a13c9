import fc from 'fast-check';
import { equalWidthEdges, histogramCounts } from './binning';
import { FixedBinHistogram, FixedBinHistogramState } from './fixed-bin-histogram';

/*
 * Reference values: NumPy 2.4.6 (with SciPy 1.17.1 installed):
 *   import numpy as np
 *   np.histogram([0,0.5,0.49,1,1.5,2,2.0001,-0.1,0.25,1.99,1.0000001], [0,0.5,1,1.5,2])[0]   # [3, 1, 2, 3]
 *   np.histogram_bin_edges([3,1,4,1,5,9,2,6], 4)     # [1.0, 3.0, 5.0, 7.0, 9.0]
 *   np.histogram_bin_edges([2.5,2.5], 3)             # [2.0, 2.3333333333333335, 2.6666666666666665, 3.0]
 */
const values = [0, 0.5, 0.49, 1, 1.5, 2, 2.0001, -0.1, 0.25, 1.99, 1.0000001];

describe('FixedBinHistogram', () => {
  it('counts like np.histogram and tallies out-of-range values separately', () => {
    const h = new FixedBinHistogram([0, 0.5, 1, 1.5, 2]);
    h.addAll(values);
    h.add(NaN);
    expect(h.counts).toEqual([3, 1, 2, 3]);
    expect(h.underflow).toBe(1);
    expect(h.overflow).toBe(1);
    expect(h.nan).toBe(1);
    expect(h.total).toBe(9);
    expect(h.totalSeen).toBe(12);
    h.proportions().forEach((p, i) => expect(p).toBeCloseTo([3, 1, 2, 3][i] / 9, 15));
    expect(histogramCounts(values, [0, 0.5, 1, 1.5, 2])).toEqual([3, 1, 2, 3]);
  });

  it('builds equal-width edges like np.histogram_bin_edges', () => {
    expect(FixedBinHistogram.fromReference([3, 1, 4, 1, 5, 9, 2, 6], 4).edges).toEqual([1, 3, 5, 7, 9]);
    expect(equalWidthEdges([[2.5, 2.5]], 3)).toEqual([2, 2.3333333333333335, 2.6666666666666665, 3]);
  });

  it('merges edges a too-narrow range cannot separate, where NumPy raises "Too many bins for data range"', () => {
    // np.histogram_bin_edges([0, 5e-324], 2) raises: the midpoint rounds onto an end.
    expect(equalWidthEdges([[0], [5e-324]], 2)).toEqual([0, 5e-324]);
    // A feature near 1e6 that varies by at most 5e-10: 10 bins need edges closer than 1e6's float spacing.
    const a = Array.from({ length: 50 }, (_, i) => 1e6 + i * 1e-11);
    const edges = equalWidthEdges([a], 10);
    expect(edges[0]).toBe(a[0]);
    expect(edges[edges.length - 1]).toBe(a[49]);
    expect(edges.length).toBeLessThan(11);
    edges.slice(1).forEach((e, i) => expect(e).toBeGreaterThan(edges[i]));
    expect(FixedBinHistogram.fromReference(a, 10).edges).toEqual(edges);
  });

  it('round-trips through JSON', () => {
    const h = new FixedBinHistogram([0, 1, 2, 3]);
    h.addAll([0.5, 1.5, 1.7, 9, -4]);
    const restored = FixedBinHistogram.fromJSON(JSON.parse(JSON.stringify(h)) as FixedBinHistogramState);
    expect(restored.toJSON()).toEqual(h.toJSON());
    restored.add(2.5);
    expect(restored.counts).toEqual([1, 2, 1]);
  });

  it('merges histograms with identical edges only', () => {
    const a = new FixedBinHistogram([0, 1, 2]);
    const b = new FixedBinHistogram([0, 1, 2]);
    a.addAll([0.1, 1.1]);
    b.addAll([0.2, 5]);
    a.merge(b);
    expect(a.counts).toEqual([2, 1]);
    expect(a.overflow).toBe(1);
    expect(() => a.merge(new FixedBinHistogram([0, 1, 3]))).toThrow(RangeError);
  });

  it('rejects invalid edges and state', () => {
    expect(() => new FixedBinHistogram([1])).toThrow(RangeError);
    expect(() => new FixedBinHistogram([0, 0, 1])).toThrow(RangeError);
    expect(() => new FixedBinHistogram([0, Infinity])).toThrow(RangeError);
    const bad = { version: 1, edges: [0, 1], counts: [1, 2], underflow: 0, overflow: 0, nan: 0 } as FixedBinHistogramState;
    expect(() => FixedBinHistogram.fromJSON(bad)).toThrow(RangeError);
  });

  it('property: memory is fixed and no value is lost', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noDefaultInfinity: false }), { maxLength: 300 }), (xs) => {
        const h = new FixedBinHistogram([-10, -1, 0, 1, 10]);
        h.addAll(xs);
        expect(h.counts).toHaveLength(4);
        expect(h.totalSeen).toBe(xs.length);
        expect(JSON.stringify(h.toJSON()).length).toBeLessThan(200);
      }),
    );
  });
});
