/**
 * testWindow on arbitrary finite input (fast-check): every configured test gives an answer, and
 * a test that cannot is left out and reported rather than failing the window (a throw there
 * would make the consumer retry the chunk, stalling the partition).
 */
import { create } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { CategoricalMethod, DriftConfigSchema, EmbeddingMethod, NumericMethod } from '@labelloop/contracts';
import * as stats from '@labelloop/drift-stats';
import { resolveConfig } from './drift-config';
import { testWindow } from './feature-tests';
import type { Columns } from './snapshot';

jest.mock('@labelloop/drift-stats', () => {
  const actual = jest.requireActual<typeof stats>('@labelloop/drift-stats');
  return { ...actual, psi: jest.fn(actual.psi) };
});
const psi = stats.psi as jest.MockedFunction<typeof stats.psi>;

const defaults = { referenceSize: 100, windowSize: 100, alpha: 0.05, resolveAfter: 2 };
const config = (numericMethod: NumericMethod, embeddingMethod: EmbeddingMethod, categoricalMethod: CategoricalMethod) =>
  resolveConfig(create(DriftConfigSchema, { numericMethod, embeddingMethod, categoricalMethod }), defaults);

// Any finite double, with the extremes (the largest, the smallest subnormal) and small integers
// (ties) made likely.
const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE),
  fc.integer({ min: -3, max: 3 }),
);
const sample = fc.integer({ min: 20, max: 40 }).chain((n) =>
  fc.record({
    num: fc.array(value, { minLength: n, maxLength: n }),
    cat: fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: n, maxLength: n }),
    conf: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
    label: fc.array(fc.constantFrom('ham', 'spam'), { minLength: n, maxLength: n }),
    emb: fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { minLength: n, maxLength: n }),
    correct: fc.nat(n).map((k): [number, number] => [k, n]),
  }),
);
type Sample = typeof sample extends fc.Arbitrary<infer T> ? T : never;
const counts = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
const columnsOf = (s: Sample): Columns => ({
  n: s.num.length,
  num: { f: s.num },
  cat: { c: counts(s.cat) },
  conf: s.conf,
  label: counts(s.label),
  emb: s.emb,
  correct: s.correct,
  low: [s.conf.filter((c) => c < 0.5).length, s.conf.length],
});

describe('testWindow', () => {
  const methods = [
    [NumericMethod.KS, EmbeddingMethod.MMD, CategoricalMethod.CHI2],
    [NumericMethod.PSI, EmbeddingMethod.PER_DIM_KS, CategoricalMethod.PSI],
    [NumericMethod.WASSERSTEIN, EmbeddingMethod.MMD, CategoricalMethod.PSI],
    [NumericMethod.JENSEN_SHANNON, EmbeddingMethod.PER_DIM_KS, CategoricalMethod.CHI2],
  ] as const;

  // This property found MMD's squared distances overflowing for embedding values beyond ~1e154
  // (a NaN statistic); jensen-shannon.spec's found binning throwing on a near-constant feature.
  it.each(methods)('gives every test an answer on any finite data (numeric %s, embedding %s, categorical %s)', (n, e, c) => {
    const cfg = config(n, e, c);
    fc.assert(
      fc.property(sample, sample, (ref, win) => {
        const r = testWindow(columnsOf(ref), columnsOf(win), cfg);
        expect(r.errors).toEqual([]);
        expect(r.tests.map((t) => t.feature)).toEqual(expect.arrayContaining(['num.f', 'cat.c', 'confidence', 'predicted_label', 'embedding']));
        for (const t of r.tests) {
          expect(Number.isNaN(t.statistic)).toBe(false);
          if (t.pValue !== undefined) expect(t.pValue >= 0 && t.pValue <= 1).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it.each([
    [
      'throws',
      () => {
        throw new RangeError('edges must be strictly increasing');
      },
      'edges must be strictly increasing',
    ],
    ['gives NaN', () => Number.NaN, 'gave statistic NaN, p-value undefined'],
  ])('leaves out a test that %s, reports it, and lets the others decide', (_what, broken, error) => {
    const cfg = config(NumericMethod.PSI, EmbeddingMethod.OFF, CategoricalMethod.CHI2);
    const ref = {
      num: Array.from({ length: 30 }, (_, i) => i),
      cat: Array(30).fill('a'),
      conf: Array(30).fill(0.9),
      label: Array(30).fill('ham'),
      emb: [],
      correct: [30, 30] as [number, number],
    };
    const win = { ...ref, label: Array(30).fill('phishing') };
    psi.mockImplementationOnce(broken);
    const r = testWindow(columnsOf(ref), columnsOf(win), cfg);
    expect(r.errors).toEqual([{ feature: 'num.f', method: 'psi', error }]);
    expect(r.tests.find((t) => t.feature === 'num.f')).toBeUndefined();
    expect(r.tests.find((t) => t.method === 'new_classes')).toMatchObject({ statistic: 30, drifted: true }); // 30 predictions of a class the reference never had
    expect(r.drifted).toBe(true);
    // The same window with psi working: the feature is tested and no error is reported.
    const ok = testWindow(columnsOf(ref), columnsOf(win), cfg);
    expect(ok.errors).toEqual([]);
    expect(ok.tests.find((t) => t.feature === 'num.f')).toMatchObject({ method: 'psi', statistic: 0, drifted: false });
  });
});
