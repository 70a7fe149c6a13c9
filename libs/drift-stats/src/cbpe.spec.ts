import fc from 'fast-check';
import reference from '../reference/cbpe.reference.json';
import { cbpeAccuracy, cbpeCalibrate, fitCbpe } from './cbpe';
import { isotonicFit, isotonicPredict } from './isotonic';

/*
 * Independent implementation: NannyML 0.13.1's CBPE (PyPI), run by
 * libs/drift-stats/reference/cbpe_reference.py, which wrote ../reference/cbpe.reference.json.
 * The rows below are the script's rows, rebuilt with the same integer arithmetic and + * / only.
 */
const u = (i: number, a: number, c: number, m: number): number => ((a * i + c) % m) / m;

interface Row {
  probabilities: number[];
  predicted: number;
  truth: number;
}

function binaryRows(n: number, offset: number, shift: number): Row[] {
  const rows: Row[] = [];
  for (let i = offset; i < offset + n; i++) {
    const s = 0.05 + 0.9 * (u(i, 7919, 13, 10007) * (1 - shift) + shift * u(i, 104729, 7, 10009));
    const truth = u(i, 15485863, 3, 10039) < s ? 1 : 0;
    const p = s * s;
    rows.push({ probabilities: [1 - p, p], predicted: p >= 0.5 ? 1 : 0, truth });
  }
  return rows;
}

function multiclassRows(n: number, offset: number, shift: number): Row[] {
  const rows: Row[] = [];
  for (let i = offset; i < offset + n; i++) {
    const w = [u(i, 7919, 13, 10007) + 0.05, u(i, 104729, 7, 10009) + 0.05 + shift, u(i, 1299709, 11, 10037) + 0.05];
    const total = w[0] + w[1] + w[2];
    const q = [w[0] / total, w[1] / total, w[2] / total];
    const r = u(i, 15485863, 3, 10039);
    const truth = r < q[0] ? 0 : r < q[0] + q[1] ? 1 : 2;
    const sq = [q[0] * q[0], q[1] * q[1], q[2] * q[2]];
    const t2 = sq[0] + sq[1] + sq[2];
    const p = [sq[0] / t2, sq[1] / t2, sq[2] / t2];
    const predicted = p.indexOf(Math.max(...p));
    rows.push({ probabilities: p, predicted, truth });
  }
  return rows;
}

const chunks = <T>(xs: T[], size: number): T[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, k) => xs.slice(k * size, (k + 1) * size));

describe('cbpeAccuracy matches NannyML 0.13.1 CBPE', () => {
  const cases = [
    ['binary', binaryRows, reference.binary],
    ['multiclass (3 classes)', multiclassRows, reference.multiclass],
  ] as const;

  it.each(cases)('%s: every reference and analysis chunk to 1e-9', (_name, make, ref) => {
    const referenceRows = make(ref.reference, 0, 0);
    const analysisRows = make(ref.analysis, ref.reference, ref.shift);
    const model = fitCbpe({ probabilities: referenceRows.map((r) => r.probabilities), truth: referenceRows.map((r) => r.truth) });
    const ours = [...chunks(referenceRows, ref.chunkSize), ...chunks(analysisRows, ref.chunkSize)].map((c) => cbpeAccuracy(model, c));
    expect(ours).toHaveLength(ref.accuracy.length);
    ours.forEach((v, i) => expect(v).toBeCloseTo(ref.accuracy[i], 9));
  });

  it('binary: the estimate follows the real drop in accuracy that the raw probabilities overstate', () => {
    const ref = reference.binary;
    const referenceRows = binaryRows(ref.reference, 0, 0);
    const analysisRows = binaryRows(ref.analysis, ref.reference, ref.shift);
    const model = fitCbpe({ probabilities: referenceRows.map((r) => r.probabilities), truth: referenceRows.map((r) => r.truth) });
    const estimate = cbpeAccuracy(model, analysisRows);
    const realised = analysisRows.filter((r) => r.predicted === r.truth).length / analysisRows.length;
    const raw = analysisRows.reduce((s, r) => s + r.probabilities[r.predicted], 0) / analysisRows.length;
    expect(Math.abs(estimate - realised)).toBeLessThan(0.02);
    expect(Math.abs(raw - realised)).toBeGreaterThan(0.05);
  });
});

describe('isotonicFit', () => {
  it('pools adjacent violators (worked example: y = 1, 3, 2, 4 gives 1, 2.5, 2.5, 4)', () => {
    const c = isotonicFit([1, 2, 3, 4], [1, 3, 2, 4]);
    expect(c.y).toEqual([1, 2.5, 2.5, 4]);
    expect(isotonicPredict(c, 0)).toBe(1);
    expect(isotonicPredict(c, 1.5)).toBe(1.75);
    expect(isotonicPredict(c, 9)).toBe(4);
  });

  it('is non-decreasing and never further from y than the best constant (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 60 }),
        (pts) => {
          const c = isotonicFit(
            pts.map((p) => p[0]),
            pts.map((p) => p[1]),
          );
          for (let i = 1; i < c.y.length; i++) expect(c.y[i]).toBeGreaterThanOrEqual(c.y[i - 1] - 1e-12);
          const mean = pts.reduce((s, p) => s + p[1], 0) / pts.length;
          const sse = (f: (x: number) => number) => pts.reduce((s, p) => s + (f(p[0]) - p[1]) ** 2, 0);
          expect(sse((x) => isotonicPredict(c, x))).toBeLessThanOrEqual(sse(() => mean) + 1e-9);
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe('fitCbpe input checks', () => {
  it('names the row and class of a bad probability, and a bad truth', () => {
    expect(() =>
      fitCbpe({
        probabilities: [
          [0.2, 0.8],
          [0.5, 1.5],
        ],
        truth: [0, 1],
      }),
    ).toThrow('fitCbpe: row 1: probability of class 1 must be in [0, 1], got 1.5');
    expect(() => fitCbpe({ probabilities: [[0.2, 0.8]], truth: [2] })).toThrow('fitCbpe: truth of row 0 must be a class index in [0, 2), got 2');
  });

  it('calibrated probabilities sum to 1', () => {
    const rows = multiclassRows(300, 0, 0);
    const model = fitCbpe({ probabilities: rows.map((r) => r.probabilities), truth: rows.map((r) => r.truth) });
    for (const r of rows.slice(0, 20)) expect(cbpeCalibrate(model, r.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});
