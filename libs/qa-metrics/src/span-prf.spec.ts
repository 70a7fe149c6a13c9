import fc from 'fast-check';
import { spanPRF, type Span } from './span-prf';

// Reference: libs/qa-metrics/reference/matching_reference.py (Python 3.11.7, numpy 2.4.6, scipy 1.17.1):
//   exact:   tp = sum((Counter(pred) & Counter(gold)).values())
//   overlap: tp = (scipy.sparse.csgraph.maximum_bipartite_matching(csr_matrix(adj)) >= 0).sum()
//            with adj[i][j] = same label and pred[i].start < gold[j].end and gold[j].start < pred[i].end
const s = (start: number, end: number, label: string): Span => ({ start, end, label });
const PRED = [s(0, 5, 'PER'), s(10, 20, 'ORG'), s(10, 20, 'ORG'), s(25, 30, 'LOC'), s(40, 60, 'PER'), s(70, 75, 'PER'), s(80, 82, 'MISC')];
const GOLD = [s(0, 5, 'PER'), s(10, 20, 'ORG'), s(26, 30, 'LOC'), s(40, 48, 'PER'), s(50, 58, 'PER'), s(70, 75, 'LOC'), s(90, 95, 'MISC')];

describe('spanPRF', () => {
  it('exact mode matches the Counter-intersection reference (tp = 2 of 7 / 7)', () => {
    const r = spanPRF(PRED, GOLD, { mode: 'exact' });
    expect([r.tp, r.fp, r.fn]).toEqual([2, 5, 5]);
    expect(r.precision).toBeCloseTo(0.2857142857142857, 12);
    expect(r.recall).toBeCloseTo(0.2857142857142857, 12);
    expect(r.f1).toBeCloseTo(0.2857142857142857, 12);
    expect(r.byLabel.map((x) => [x.label, x.tp, x.precision, x.recall, x.f1])).toEqual([
      ['LOC', 0, 0, 0, 0],
      ['MISC', 0, 0, 0, 0],
      ['ORG', 1, 0.5, 1, expect.closeTo(0.6666666666666666, 12)],
      ['PER', 1, expect.closeTo(1 / 3, 12), expect.closeTo(1 / 3, 12), expect.closeTo(1 / 3, 12)],
    ]);
  });

  it('overlap mode matches scipy maximum_bipartite_matching (one-to-one: [40,60) earns one tp, not two)', () => {
    const r = spanPRF(PRED, GOLD, { mode: 'overlap' });
    expect([r.tp, r.fp, r.fn]).toEqual([4, 3, 3]);
    expect(r.precision).toBeCloseTo(0.5714285714285714, 12);
    expect(r.recall).toBeCloseTo(0.5714285714285714, 12);
    expect(r.f1).toBeCloseTo(0.5714285714285714, 12);
    const per = r.byLabel.find((x) => x.label === 'PER')!;
    expect([per.tp, per.fp, per.fn]).toEqual([2, 1, 1]);
    const loc = r.byLabel.find((x) => x.label === 'LOC')!;
    expect([loc.precision, loc.recall, loc.f1]).toEqual([1, 0.5, expect.closeTo(0.6666666666666666, 12)]);
  });

  it('overlap mode finds the maximum matching where greedy pairing would not (hand-checked)', () => {
    // P0=[0,10) overlaps G0=[0,3) and G1=[8,12); P1=[1,2) overlaps only G0. Greedy P0->G0 strands P1 (tp 1);
    // the maximum matching P0->G1, P1->G0 gives tp 2 (scipy maximum_bipartite_matching agrees).
    const r = spanPRF([s(0, 10, 'X'), s(1, 2, 'X')], [s(0, 3, 'X'), s(8, 12, 'X')], { mode: 'overlap' });
    expect([r.tp, r.fp, r.fn, r.f1]).toEqual([2, 0, 0, 1]);
  });

  it('treats [start, end) as half-open: touching spans do not overlap', () => {
    expect(spanPRF([s(0, 5, 'X')], [s(5, 9, 'X')], { mode: 'overlap' }).tp).toBe(0);
    expect(spanPRF([s(0, 6, 'X')], [s(5, 9, 'X')], { mode: 'overlap' }).tp).toBe(1);
  });

  it('zero-division convention: both empty -> 1, one side empty -> 0', () => {
    expect(spanPRF([], [])).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(spanPRF([], [s(0, 1, 'X')])).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(spanPRF([s(0, 1, 'X')], [])).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });

  it('rejects empty or inverted spans and unknown modes', () => {
    expect(() => spanPRF([s(3, 3, 'X')], [])).toThrow(RangeError);
    expect(() => spanPRF([], [s(4, 1, 'X')])).toThrow(RangeError);
    expect(() => spanPRF([], [], { mode: 'fuzzy' as never })).toThrow(RangeError);
  });

  const spanArb = fc
    .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom('A', 'B'))
    .map(([start, len, label]) => s(start, start + len, label));
  const spans = fc.array(spanArb, { maxLength: 8 });

  it('property: scores in [0, 1], swapping pred/gold swaps P and R, overlap tp ≥ exact tp', () => {
    fc.assert(
      fc.property(spans, spans, (p, g) => {
        const ex = spanPRF(p, g, { mode: 'exact' });
        const ov = spanPRF(p, g, { mode: 'overlap' });
        const ovSwapped = spanPRF(g, p, { mode: 'overlap' });
        const inRange = [ex, ov].every((r) => [r.precision, r.recall, r.f1].every((v) => v >= 0 && v <= 1));
        return inRange && ov.tp >= ex.tp && ov.precision === ovSwapped.recall && ov.recall === ovSwapped.precision && ov.f1 === ovSwapped.f1;
      }),
    );
  });

  it('property: a span set scored against itself is perfect', () => {
    fc.assert(fc.property(spans, (p) => spanPRF(p, p).f1 === 1 && spanPRF(p, p, { mode: 'overlap' }).f1 === 1));
  });
});
