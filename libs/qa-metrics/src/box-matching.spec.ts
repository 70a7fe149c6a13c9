import fc from 'fast-check';
import { boxFromXYWH, boxIoU, matchBoxes, meanIoUAgreement, type Box } from './box-matching';

// Reference values: libs/qa-metrics/reference/matching_reference.py (Python 3.11.7, numpy 2.4.6,
// scipy 1.17.1, shapely 2.2.0): IoU from shapely polygon areas
//   pa, pb = shapely.geometry.box(*a), shapely.geometry.box(*b); pa.intersection(pb).area / pa.union(pb).area
// and matchings from scipy.optimize.linear_sum_assignment(np.where(M >= thr, M, 0), maximize=True).
const b = (xMin: number, yMin: number, xMax: number, yMax: number, label?: string): Box =>
  label === undefined ? { xMin, yMin, xMax, yMax } : { xMin, yMin, xMax, yMax, label };

describe('boxIoU', () => {
  it.each([
    [b(0, 0, 2, 2), b(1, 1, 3, 3), 0.14285714285714285],
    [b(0, 0, 10, 10), b(2, 3, 5, 7), 0.12],
    [b(0, 0, 1, 1), b(1, 0, 2, 1), 0],
    [b(12.5, 7.25, 40.0, 33.5), b(20.0, 3.0, 51.75, 30.125), 0.4064521502540326],
    [b(0.1, 0.2, 0.6, 0.9), b(0.15, 0.1, 0.65, 0.8), 0.627906976744186],
  ])('IoU(%o, %o) matches shapely', (x, y, expected) => {
    expect(boxIoU(x, y)).toBeCloseTo(expected, 12);
  });

  it('is 1 for identical boxes, 0 for degenerate ones, and validates corners', () => {
    expect(boxIoU(b(1, 2, 3, 4), b(1, 2, 3, 4))).toBe(1);
    expect(boxIoU(b(1, 1, 1, 1), b(1, 1, 1, 1))).toBe(0);
    expect(() => boxIoU(b(3, 0, 1, 1), b(0, 0, 1, 1))).toThrow(RangeError);
    expect(() => boxIoU(b(0, 0, Number.NaN, 1), b(0, 0, 1, 1))).toThrow(RangeError);
  });

  it('converts COCO [x, y, w, h]', () => {
    expect(boxFromXYWH(10, 20, 30, 40, 'car')).toEqual({ xMin: 10, yMin: 20, xMax: 40, yMax: 60, label: 'car' });
  });

  const boxArb = fc
    .tuple(
      fc.double({ min: -100, max: 100, noNaN: true }),
      fc.double({ min: -100, max: 100, noNaN: true }),
      fc.double({ min: 0, max: 50, noNaN: true }),
      fc.double({ min: 0, max: 50, noNaN: true }),
    )
    .map(([x, y, w, h]) => boxFromXYWH(x, y, w, h));

  it('property: IoU ∈ [0, 1] and symmetric', () => {
    fc.assert(
      fc.property(boxArb, boxArb, (x, y) => {
        const v = boxIoU(x, y);
        return v >= 0 && v <= 1 && v === boxIoU(y, x);
      }),
    );
  });
});

describe('matchBoxes / meanIoUAgreement', () => {
  const A = [b(10, 10, 50, 50), b(60, 10, 100, 50), b(10, 60, 50, 100), b(200, 200, 220, 220), b(55, 55, 95, 95)];
  const B = [b(12, 8, 52, 48), b(58, 12, 98, 52), b(40, 40, 80, 80), b(12, 62, 48, 104), b(300, 300, 310, 310), b(57, 14, 101, 49)];

  it('matches scipy.optimize.linear_sum_assignment at threshold 0.5', () => {
    const m = matchBoxes(A, B, { iouThreshold: 0.5 });
    expect(m.matches.map((x) => [x.a, x.b])).toEqual([
      [0, 0],
      [1, 1],
      [2, 3],
    ]);
    expect(m.unmatchedA).toEqual([3, 4]);
    expect(m.unmatchedB).toEqual([2, 4, 5]);
    expect(m.totalIoU).toBeCloseTo(2.4290505945539276, 9);
    expect(m.agreement).toBeCloseTo(0.30363132431924095, 9);
    expect(m.meanMatchedIoU).toBeCloseTo(2.4290505945539276 / 3, 9);
    expect(meanIoUAgreement(A, B, { iouThreshold: 0.5 })).toBeCloseTo(0.30363132431924095, 9);
  });

  it('matches scipy at threshold 0.1 (an extra low-IoU pair becomes eligible)', () => {
    const m = matchBoxes(A, B, { iouThreshold: 0.1 });
    expect(m.matches.map((x) => [x.a, x.b])).toEqual([
      [0, 0],
      [1, 1],
      [2, 3],
      [4, 2],
    ]);
    expect(m.totalIoU).toBeCloseTo(2.671769041155869, 9);
    expect(m.agreement).toBeCloseTo(0.3816812915936956, 9);
  });

  it('finds the optimal matching where greedy highest-IoU-first matching is not optimal', () => {
    // IoU matrix [[0.667, 0.538], [0.25, 0]]: greedy takes (0,0) and strands A1; optimum is (0,1)+(1,0).
    const GA = [b(0, 0, 10, 10), b(8, 0, 18, 10)];
    const GB = [b(2, 0, 12, 10), b(-3, 0, 7, 10)];
    const m = matchBoxes(GA, GB, { iouThreshold: 0.2 });
    expect(m.matches.map((x) => [x.a, x.b])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(m.totalIoU).toBeCloseTo(0.7884615384615384, 12);
  });

  it('can require equal labels', () => {
    const m = matchBoxes([b(0, 0, 10, 10, 'cat')], [b(0, 0, 10, 10, 'dog'), b(1, 1, 10, 10, 'cat')], { requireSameLabel: true });
    expect(m.matches).toEqual([{ a: 0, b: 1, iou: 0.81 }]);
    expect(matchBoxes([b(0, 0, 10, 10, 'cat')], [b(0, 0, 10, 10, 'dog')], { requireSameLabel: true }).matches).toEqual([]);
  });

  it('handles empty sides and rejects invalid thresholds', () => {
    expect(matchBoxes([], [])).toMatchObject({ matches: [], agreement: 1 });
    expect(matchBoxes(A, [])).toMatchObject({ matches: [], unmatchedA: [0, 1, 2, 3, 4], agreement: 0 });
    expect(matchBoxes([], B).meanMatchedIoU).toBeNaN();
    expect(() => matchBoxes(A, B, { iouThreshold: 1.5 })).toThrow(RangeError);
  });

  const boxArb = fc
    .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }))
    .map(([x, y, w, h]) => boxFromXYWH(x, y, w, h));
  const boxes = fc.array(boxArb, { maxLength: 5 });

  it('property: one-to-one, every match ≥ threshold, agreement ∈ [0, 1] and symmetric', () => {
    fc.assert(
      fc.property(boxes, boxes, fc.constantFrom(0, 0.3, 0.5, 0.75), (x, y, thr) => {
        const m = matchBoxes(x, y, { iouThreshold: thr });
        const oneToOne = new Set(m.matches.map((p) => p.a)).size === m.matches.length && new Set(m.matches.map((p) => p.b)).size === m.matches.length;
        const aboveThr = m.matches.every((p) => p.iou >= thr && p.iou > 0 && p.iou === boxIoU(x[p.a], y[p.b]));
        const covers = m.matches.length + m.unmatchedA.length === x.length && m.matches.length + m.unmatchedB.length === y.length;
        const rev = matchBoxes(y, x, { iouThreshold: thr });
        return oneToOne && aboveThr && covers && m.agreement >= 0 && m.agreement <= 1 && Math.abs(m.agreement - rev.agreement) < 1e-12;
      }),
    );
  });

  it('property: agreement of a box set with itself is 1', () => {
    fc.assert(fc.property(boxes, (x) => meanIoUAgreement(x, x) === 1));
  });
});
