import { Mulberry32 } from '@labelloop/drift-stats';
import type { SparseVector } from './hashing';
import { SoftmaxRegression, softmaxInPlace, type TrainingExample } from './softmax-regression';

const sv = (pairs: [number, number][]): SparseVector => ({ indices: Int32Array.from(pairs, (p) => p[0]), values: Float64Array.from(pairs, (p) => p[1]) });

/** Three classes; class c is signalled by feature c, plus 5 noise features out of 50. */
function toy(n: number, seed: number): TrainingExample[] {
  const r = new Mulberry32(seed);
  return Array.from({ length: n }, () => {
    const y = r.nextInt(3);
    const feats = new Map<number, number>([[y, 1]]);
    for (let k = 0; k < 5; k++) feats.set(3 + r.nextInt(47), 0.5);
    return { x: sv([...feats].sort((p, q) => p[0] - q[0])), y };
  });
}

describe('SoftmaxRegression', () => {
  it('softmax is stable and sums to 1', () => {
    const p = softmaxInPlace(Float64Array.from([1000, 1000, -1000]));
    expect(Array.from(p)).toEqual([0.5, 0.5, 0]);
  });

  it('learns a separable problem', () => {
    const m = SoftmaxRegression.train(toy(300, 1), 3, 50, { seed: 1 });
    const test = toy(200, 2);
    const acc =
      test.filter((e) => {
        const p = m.predictProba(e.x);
        return p.indexOf(Math.max(...p)) === e.y;
      }).length / test.length;
    expect(acc).toBe(1);
    const p = m.predictProba(sv([[0, 1]]));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[0]).toBeGreaterThan(0.9);
  });

  it('untrained and zero-epoch models predict uniform probabilities', () => {
    expect(Array.from(SoftmaxRegression.zeros(4, 10).predictProba(sv([[1, 1]])))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(SoftmaxRegression.train(toy(10, 1), 2 + 1, 50, { epochs: 0 }).predictProba(sv([[0, 1]])))).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('is deterministic: same seed ⇒ identical weights, other seed ⇒ different ones', () => {
    const data = toy(200, 3);
    const a = SoftmaxRegression.train(data, 3, 50, { seed: 7 }).toJSON();
    const b = SoftmaxRegression.train(data, 3, 50, { seed: 7 }).toJSON();
    const c = SoftmaxRegression.train(data, 3, 50, { seed: 8 }).toJSON();
    expect(b).toEqual(a);
    expect(c.weights).not.toEqual(a.weights);
  });

  it('serialises sparsely and round-trips exactly', () => {
    const m = SoftmaxRegression.train(toy(200, 4), 3, 1000, { seed: 1 });
    const json = m.toJSON();
    expect(json.indices.length).toBeLessThanOrEqual(50); // only features 0..49 occur
    const back = SoftmaxRegression.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(back.toJSON()).toEqual(json);
    const x = sv([
      [0, 0.3],
      [7, 0.2],
      [20, 0.9],
    ]);
    expect(back.predictProba(x)).toEqual(m.predictProba(x));
    expect(() => SoftmaxRegression.fromJSON({ ...json, version: 2 as 1 })).toThrow(TypeError);
    expect(() => SoftmaxRegression.fromJSON({ ...json, weights: [1] })).toThrow(TypeError);
  });

  it('validates its input', () => {
    expect(() => SoftmaxRegression.zeros(1, 10)).toThrow(RangeError);
    expect(() => SoftmaxRegression.train([{ x: sv([[0, 1]]), y: 3 }], 3, 10)).toThrow(RangeError);
    expect(() => SoftmaxRegression.train([{ x: sv([[10, 1]]), y: 0 }], 3, 10)).toThrow(RangeError);
    expect(() => SoftmaxRegression.zeros(2, 10).predictProba(sv([[10, 1]]))).toThrow(RangeError);
    expect(() => SoftmaxRegression.train([], 2, 10, { learningRate: 0 })).toThrow(RangeError);
  });
});
