import fc from 'fast-check';
import { linearSumAssignment } from './hungarian';

// Reference: SciPy 1.17.1 `scipy.optimize.linear_sum_assignment`, matrices drawn with
// np.random.default_rng(7) in libs/qa-metrics/reference/matching_reference.py (numpy 2.4.6).
const SQUARE = [
  [62.51, 89.72, 77.57, 22.52, 30.02],
  [87.36, 0.53, 82.12, 79.71, 46.79],
  [30.3, 27.84, 25.49, 44.51, 50.45],
  [55.35, 99.55, 79.27, 62.22, 98.9],
  [21.53, 16.02, 61.25, 4.39, 3.57],
];
const WIDE = [
  [51.49, 46.62, 91.72, 62.92, 51.41, 49.69],
  [24.75, 1.18, 19.24, 69.2, 20.06, 36.95],
  [0.37, 83.0, 15.45, 26.76, 88.03, 50.98],
  [84.72, 63.97, 74.18, 9.15, 54.11, 50.78],
];
const TALL = [
  [87.13, 36.13, 59.82],
  [5.93, 38.76, 32.3],
  [15.02, 81.63, 37.94],
  [97.87, 59.0, 60.51],
  [63.8, 67.65, 15.08],
  [44.03, 23.96, 40.25],
];

/** Brute force over all injective maps from the smaller side: independent oracle for small matrices. */
function bruteForce(cost: number[][], maximize: boolean): number {
  const rows = cost.length;
  const cols = cost[0].length;
  const t = rows > cols;
  const n = t ? cols : rows;
  const m = t ? rows : cols;
  const at = (i: number, j: number): number => (t ? cost[j][i] : cost[i][j]);
  let best = maximize ? -Infinity : Infinity;
  const used = new Array<boolean>(m).fill(false);
  const rec = (i: number, acc: number): void => {
    if (i === n) {
      best = maximize ? Math.max(best, acc) : Math.min(best, acc);
      return;
    }
    for (let j = 0; j < m; j++) {
      if (used[j]) continue;
      used[j] = true;
      rec(i + 1, acc + at(i, j));
      used[j] = false;
    }
  };
  rec(0, 0);
  return best;
}

describe('linearSumAssignment', () => {
  it.each([
    ['square 5×5', SQUARE, false, [0, 1, 2, 3, 4], [3, 1, 2, 0, 4], 107.46],
    ['square 5×5', SQUARE, true, [0, 1, 2, 3, 4], [1, 0, 3, 4, 2], 381.74],
    ['wide 4×6', WIDE, false, [0, 1, 2, 3], [5, 1, 0, 3], 60.38999999999999],
    ['wide 4×6', WIDE, true, [0, 1, 2, 3], [2, 3, 4, 0], 333.67],
    ['tall 6×3', TALL, false, [1, 4, 5], [0, 2, 1], 44.97],
    ['tall 6×3', TALL, true, [0, 2, 3], [2, 1, 0], 239.32],
  ])('matches scipy on the %s matrix (maximize=%s)', (_name, cost, maximize, rows, cols, total) => {
    const res = linearSumAssignment(cost, { maximize });
    expect(res.rowInd).toEqual(rows);
    expect(res.colInd).toEqual(cols);
    expect(res.total).toBeCloseTo(total, 9);
  });

  it('handles empty matrices and rejects ragged or non-finite input', () => {
    expect(linearSumAssignment([])).toEqual({ rowInd: [], colInd: [], total: 0 });
    expect(linearSumAssignment([[], []])).toEqual({ rowInd: [], colInd: [], total: 0 });
    expect(() => linearSumAssignment([[1, 2], [3]])).toThrow(RangeError);
    expect(() => linearSumAssignment([[1, Infinity]])).toThrow(RangeError);
  });

  it('property: optimal (equals brute force) and a valid partial permutation, for random rectangular matrices', () => {
    const matrix = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
      .chain(([r, c]) => fc.array(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: c, maxLength: c }), { minLength: r, maxLength: r }));
    fc.assert(
      fc.property(matrix, fc.boolean(), (cost, maximize) => {
        const res = linearSumAssignment(cost, { maximize });
        const k = Math.min(cost.length, cost[0].length);
        const validShape =
          res.rowInd.length === k && new Set(res.rowInd).size === k && new Set(res.colInd).size === k && res.rowInd.every((r, i, a) => i === 0 || a[i - 1] < r);
        const sum = res.rowInd.reduce((s, r, t) => s + cost[r][res.colInd[t]], 0);
        return validShape && sum === res.total && sum === bruteForce(cost, maximize);
      }),
      { numRuns: 300 },
    );
  });
});
