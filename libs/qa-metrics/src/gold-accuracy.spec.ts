import { goldAccuracy, wilsonInterval } from './gold-accuracy';

// Wilson intervals: statsmodels 0.15.0, `statsmodels.stats.proportion.proportion_confint(k, n, alpha=0.05,
// method='wilson')`, from libs/qa-metrics/reference/gold_and_issues_reference.py (Python 3.11.7).
describe('wilsonInterval', () => {
  it.each([
    [7, 10, 0.39677814746114537, 0.8922087325936989],
    [0, 5, 0.0, 0.43448246478317487],
    [5, 5, 0.5655175352168252, 1.0],
    [42, 50, 0.7148578393696499, 0.9166257932196658],
    [1, 3, 0.06149194472039626, 0.7923403991979523],
  ])('matches statsmodels for %i / %i', (k, n, lo, hi) => {
    const [l, h] = wilsonInterval(k, n);
    expect(l).toBeCloseTo(lo, 9);
    expect(h).toBeCloseTo(hi, 9);
  });

  it('rejects n = 0', () => {
    expect(() => wilsonInterval(0, 0)).toThrow(RangeError);
  });
});

describe('goldAccuracy', () => {
  const answers = [
    { item: 'g1', annotator: 'alice', label: 'cat' },
    { item: 'g2', annotator: 'alice', label: 'dog' },
    { item: 'x9', annotator: 'alice', label: 'dog' }, // not a gold item: ignored
    { item: 'g3', annotator: 'alice', label: 'cat' },
    { item: 'g1', annotator: 'bob', label: 'dog' },
    { item: 'g2', annotator: 'bob', label: 'dog' },
    { item: 'x9', annotator: 'carol', label: 'cat' },
  ];
  const gold = new Map([
    ['g1', 'cat'],
    ['g2', 'dog'],
    ['g3', 'bird'],
  ]);

  it('computes per-annotator accuracy on gold items only, in order of first appearance', () => {
    const res = goldAccuracy(answers, gold);
    expect(res.map((r) => [r.annotator, r.correct, r.total])).toEqual([
      ['alice', 2, 3],
      ['bob', 1, 2],
      ['carol', 0, 0],
    ]);
    expect(res[0].accuracy).toBeCloseTo(2 / 3, 12);
    expect(res[1].accuracy).toBe(0.5);
    expect(res[2]).toMatchObject({ accuracy: null, interval: null });
    expect(res[0].interval).toEqual(wilsonInterval(2, 3));
  });

  it('accepts a plain object keyed by String(item), matching numeric item ids', () => {
    const res = goldAccuracy(
      [
        { item: 1, annotator: 7, label: 'a' },
        { item: 2, annotator: 7, label: 'a' },
      ],
      { '1': 'a', '2': 'b' },
    );
    expect(res).toEqual([{ annotator: 7, correct: 1, total: 2, accuracy: 0.5, interval: wilsonInterval(1, 2) }]);
  });

  it('does not treat inherited object properties as gold', () => {
    const res = goldAccuracy([{ item: 'toString', annotator: 'a', label: 'x' }], {});
    expect(res[0].total).toBe(0);
  });
});
