import { embed, projectSparse } from './embedding';
import { featurize } from './hashing';

const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, x, i) => s + x * b[i], 0);

describe('embed', () => {
  const a = 'Limited offer: buy cheap meds online now, click here to order with free shipping';
  const a2 = 'Limited offer: buy cheap meds online today, click here to order with free shipping';
  const b = 'The patch to the exmh sequence handling broke the unseen window, can you test the CVS head';

  it('is deterministic, unit-norm and of the requested dimension', () => {
    const e = embed(a);
    expect(e).toHaveLength(32);
    expect(embed(a)).toEqual(e);
    expect(Math.hypot(...e)).toBeCloseTo(1, 12);
    expect(embed(a, 80)).toHaveLength(80);
    expect(Math.hypot(...embed(a, 80))).toBeCloseTo(1, 12);
    expect(embed('')).toEqual(new Float64Array(32));
    expect(() => embed(a, 0)).toThrow(RangeError);
  });

  it('keeps near-duplicates close and unrelated texts apart', () => {
    expect(dot(embed(a, 64), embed(a2, 64))).toBeGreaterThan(0.8);
    expect(dot(embed(a, 64), embed(b, 64))).toBeLessThan(dot(embed(a, 64), embed(a2, 64)) - 0.3);
  });

  it('approximately preserves cosine similarity (Johnson–Lindenstrauss) at high dimension', () => {
    const x = featurize(a);
    const y = featurize(a2);
    let cos = 0; // both unit norm
    const ym = new Map(Array.from(y.indices, (j, t) => [j, y.values[t]]));
    x.indices.forEach((j, t) => (cos += x.values[t] * (ym.get(j) ?? 0)));
    expect(dot(projectSparse(x, 4096), projectSparse(y, 4096))).toBeCloseTo(cos, 1);
  });

  it('a different seed gives a different projection', () => {
    expect(embed(a, 32, { seed: 1 })).not.toEqual(embed(a, 32, { seed: 0 }));
  });
});
