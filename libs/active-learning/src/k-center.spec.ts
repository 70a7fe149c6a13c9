import fc from 'fast-check';
import { kCenterGreedy } from './k-center';

const dist = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.hypot(...Array.from(a, (x, i) => x - b[i]));

/** Max over points of the distance to the nearest centre. */
function coverRadius(points: number[][], centres: number[]): number {
  return Math.max(...points.map((p) => Math.min(...centres.map((c) => dist(p, points[c])))));
}

/** Exact optimum of the k-center problem by brute force over all k-subsets. */
function optimalRadius(points: number[][], k: number): number {
  let best = Infinity;
  const rec = (start: number, chosen: number[]): void => {
    if (chosen.length === k) {
      best = Math.min(best, coverRadius(points, chosen));
      return;
    }
    for (let i = start; i < points.length; i++) rec(i + 1, [...chosen, i]);
  };
  rec(0, []);
  return best;
}

describe('kCenterGreedy', () => {
  // Three tight clusters of 10 points, around (0,0), (10,0) and (0,10).
  const clusters = [
    [0, 0],
    [10, 0],
    [0, 10],
  ].flatMap(([cx, cy], c) => Array.from({ length: 10 }, (_, i) => [cx + 0.01 * i, cy + 0.01 * ((i * 7 + c) % 10)]));
  const clusterOf = (i: number): number => Math.floor(i / 10);

  it('picks one point per cluster (the most diverse set)', () => {
    const sel = kCenterGreedy(clusters, 3);
    expect(sel[0]).toBe(0);
    expect(new Set(sel.map(clusterOf))).toEqual(new Set([0, 1, 2]));
  });

  it('follows Algorithm 1 exactly on a line', () => {
    // points 0, 1, 2, 6, 10. Start at 0 → farthest is 10 → nearest-centre distances {1:1, 2:2, 6:4} → 6.
    expect(kCenterGreedy([[0], [1], [2], [6], [10]], 3)).toEqual([0, 4, 3]);
    // Start at 2 → distances {0:2, 1:1, 6:4, 10:8} → 10 → {0:2, 1:1, 6:4} → 6.
    expect(kCenterGreedy([[0], [1], [2], [6], [10]], 3, { first: 2 })).toEqual([2, 4, 3]);
    // Start at 6 → {0:6, 1:5, 2:4, 10:4} → 0 → {1:1, 2:2, 10:4} → 10.
    expect(kCenterGreedy([[0], [1], [2], [6], [10]], 3, { first: 3 })).toEqual([3, 0, 4]);
  });

  it('treats alreadySelected and external centres as covered', () => {
    const sel = kCenterGreedy(clusters, 2, { alreadySelected: [0, 1] });
    expect(sel).not.toContain(0);
    expect(sel).not.toContain(1);
    expect(new Set(sel.map(clusterOf))).toEqual(new Set([1, 2]));
    const withCentres = kCenterGreedy(clusters, 1, {
      centers: [
        [0, 0],
        [10, 0],
      ],
    });
    expect(clusterOf(withCentres[0])).toBe(2);
  });

  it('fills with duplicates once everything is covered', () => {
    expect(kCenterGreedy([[1], [1], [1]], 3)).toEqual([0, 1, 2]);
    expect(kCenterGreedy([[1], [1], [5]], 5, { alreadySelected: [1] })).toEqual([2, 0]);
  });

  it('validates input', () => {
    expect(() => kCenterGreedy([[1, 2], [1]], 1)).toThrow(RangeError);
    expect(() => kCenterGreedy([[NaN]], 1)).toThrow(RangeError);
    expect(() => kCenterGreedy([[1]], 1, { alreadySelected: [3] })).toThrow(RangeError);
    expect(() => kCenterGreedy([[1]], 1, { first: 1 })).toThrow(RangeError);
    expect(kCenterGreedy([], 3)).toEqual([]);
  });

  const pts = fc.array(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 2, maxLength: 2 }), { minLength: 0, maxLength: 30 });

  it('property: min(k, n − |alreadySelected|) distinct new indices', () => {
    fc.assert(
      fc.property(pts, fc.nat(35), fc.array(fc.nat(29), { maxLength: 10 }), (points, k, already) => {
        const a = [...new Set(already.filter((i) => i < points.length))];
        const sel = kCenterGreedy(points, k, { alreadySelected: a });
        expect(sel).toHaveLength(Math.min(k, points.length - a.length));
        expect(new Set(sel).size).toBe(sel.length);
        for (const i of sel) {
          expect(a).not.toContain(i);
          expect(i >= 0 && i < points.length).toBe(true);
        }
      }),
    );
  });

  it('property: covering radius is within 2× the brute-force optimum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(8),
        (points, k, first) => {
          const kk = Math.min(k, points.length);
          const sel = kCenterGreedy(points, kk, { first: first % points.length });
          expect(coverRadius(points, sel)).toBeLessThanOrEqual(2 * optimalRadius(points, kk) + 1e-9);
        },
      ),
    );
  });
});
