import fc from 'fast-check';
import reference from '../reference/dawid-skene.reference.json';
import { dawidSkene, type Annotation } from './dawid-skene';
import { majorityVote } from './majority-vote';

// Reference: libs/qa-metrics/reference/dawid_skene_reference.py wrote ../reference/dawid-skene.reference.json
// (Python 3.11.7, numpy 2.4.6, pandas 3.1.1, crowd-kit 1.4.2) for a fixed data set of 96 answers
// (25 items, 5 annotators, classes bird/cat/dog, numpy default_rng(1979)):
//   - "crowdkit": crowdkit.aggregation.DawidSkene(n_iter=n, tol=-inf).fit(df) — an independent, published
//     implementation (its M-step clips counts at 1e-10, hence `smoothing: 1e-10` below);
//   - "numpy": a separately written vectorised numpy EM with additive smoothing 0.01 (our default).
// Both use the schedule soft-majority-vote init → M, then (E → M) × n, which dawidSkene follows.
type RefRun = { posterior: number[][]; priors: number[]; confusion: Record<string, number[][]> };
const ref = reference as unknown as {
  classes: string[];
  data: [string, string, string][];
  truth: string[];
  crowdkit: Record<'n3' | 'n100', RefRun & { labels: string[] }>;
  numpy: Record<'n3' | 'n100', RefRun & { logLikelihood: number; accuracy: number[] }>;
};
const ANSWERS: Annotation[] = ref.data.map(([item, annotator, label]) => ({ item, annotator, label }));
const TASKS = [...new Set(ref.data.map((d) => d[0]))].sort();
const WORKERS = [...new Set(ref.data.map((d) => d[1]))].sort();

function expectMatchesReference(res: ReturnType<typeof dawidSkene>, run: RefRun, tol: number): void {
  expect(res.classes).toEqual(ref.classes);
  const byItem = new Map(res.items.map((it) => [it.item, it]));
  TASKS.forEach((t, i) => run.posterior[i].forEach((p, c) => expect(Math.abs(byItem.get(t)!.posterior[c] - p)).toBeLessThan(tol)));
  run.priors.forEach((p, c) => expect(Math.abs(res.classPriors[c] - p)).toBeLessThan(tol));
  const byAnn = new Map(res.annotators.map((a) => [a.annotator, a]));
  for (const w of WORKERS) {
    run.confusion[w].forEach((row, c) => row.forEach((p, l) => expect(Math.abs(byAnn.get(w)!.confusion[c][l] - p)).toBeLessThan(tol)));
  }
}

describe('dawidSkene', () => {
  it('matches crowd-kit 1.4.2 DawidSkene after 3 EM iterations (posteriors, priors, confusion matrices, 1e-6)', () => {
    const res = dawidSkene(ANSWERS, { maxIter: 3, tol: 0, smoothing: 1e-10 });
    expect(res.iterations).toBe(3);
    expect(res.converged).toBe(false);
    expectMatchesReference(res, ref.crowdkit.n3, 1e-6);
  });

  it('matches crowd-kit 1.4.2 DawidSkene at convergence, including MAP labels', () => {
    const res = dawidSkene(ANSWERS, { maxIter: 100, tol: 0, smoothing: 1e-10 });
    expectMatchesReference(res, ref.crowdkit.n100, 1e-6);
    expect(TASKS.map((t) => res.items.find((it) => it.item === t)!.label)).toEqual(ref.crowdkit.n100.labels);
  });

  it('matches the numpy reference EM with smoothing 0.01 (default), incl. log-likelihood and accuracies', () => {
    const three = dawidSkene(ANSWERS, { maxIter: 3, tol: 0 });
    expectMatchesReference(three, ref.numpy.n3, 1e-6);
    expect(three.logLikelihood).toBeCloseTo(ref.numpy.n3.logLikelihood, 6);
    const full = dawidSkene(ANSWERS, { maxIter: 100, tol: 0 });
    expectMatchesReference(full, ref.numpy.n100, 1e-6);
    expect(full.logLikelihood).toBeCloseTo(ref.numpy.n100.logLikelihood, 6);
    const acc = new Map(full.annotators.map((a) => [a.annotator, a.accuracy]));
    WORKERS.forEach((w, k) => expect(acc.get(w)).toBeCloseTo(ref.numpy.n100.accuracy[k], 6));
  });

  it('stops at the first iteration whose log-likelihood change is below tol, and reports it', () => {
    const tol = 1e-8;
    const res = dawidSkene(ANSWERS, { maxIter: 500, tol });
    expect(res.converged).toBe(true);
    expect(res.iterations).toBeGreaterThan(3);
    expect(res.iterations).toBeLessThan(500);
    // replay the same trajectory with tol = 0 to read the log-likelihood after n E-steps
    const ll = (n: number): number => dawidSkene(ANSWERS, { maxIter: n, tol: 0 }).logLikelihood;
    const n = res.iterations;
    expect(res.logLikelihood).toBe(ll(n));
    expect(Math.abs(ll(n) - ll(n - 1))).toBeLessThan(tol);
    expect(Math.abs(ll(n - 1) - ll(n - 2))).toBeGreaterThanOrEqual(tol);
    // EM never decreases the likelihood by more than rounding (smoothing 0 = pure maximum likelihood)
    const mle = (k: number): number => dawidSkene(ANSWERS, { maxIter: k, tol: 0, smoothing: 0 }).logLikelihood;
    for (let k = 2; k <= 10; k++) expect(mle(k)).toBeGreaterThanOrEqual(mle(k - 1) - 1e-9);
    expect(dawidSkene(ANSWERS, { maxIter: 2, tol })).toMatchObject({ iterations: 2, converged: false });
  });

  it('is deterministic and keeps items and annotators in order of first appearance', () => {
    const a = dawidSkene(ANSWERS);
    const b = dawidSkene(ANSWERS);
    expect(b).toEqual(a);
    expect(a.items.map((i) => i.item)).toEqual([...new Set(ANSWERS.map((x) => x.item))]);
    expect(a.annotators.map((x) => x.annotator)).toEqual([...new Set(ANSWERS.map((x) => x.annotator))]);
  });

  it('uses the given class order and rejects labels outside it', () => {
    const res = dawidSkene(ANSWERS, { classes: ['dog', 'cat', 'bird', 'fish'] });
    expect(res.classes).toEqual(['dog', 'cat', 'bird', 'fish']);
    const t00 = res.items.find((i) => i.item === 't00')!;
    expect(t00.label).toBe('dog');
    expect(t00.posterior).toHaveLength(4);
    expect(res.classPriors[3]).toBeLessThan(0.01);
    expect(() => dawidSkene(ANSWERS, { classes: ['dog', 'cat'] })).toThrow(RangeError);
  });

  it('handles empty input and rejects bad options', () => {
    expect(dawidSkene([])).toMatchObject({ items: [], annotators: [], classes: [] });
    expect(() => dawidSkene(ANSWERS, { maxIter: -1 })).toThrow(RangeError);
    expect(() => dawidSkene(ANSWERS, { smoothing: -1 })).toThrow(RangeError);
  });

  it('property: posteriors are distributions, confusion rows sum to 1, MAP label has the top posterior', () => {
    const answers = fc.array(
      fc.record({ item: fc.integer({ min: 0, max: 8 }), annotator: fc.constantFrom('a', 'b', 'c', 'd'), label: fc.constantFrom('x', 'y', 'z') }),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(answers, fc.constantFrom(0, 0.01, 1), (ans, smoothing) => {
        const res = dawidSkene(ans, { maxIter: 20, smoothing });
        const close1 = (xs: number[]): boolean => Math.abs(xs.reduce((s, x) => s + x, 0) - 1) < 1e-9;
        return (
          close1(res.classPriors) &&
          res.items.every(
            (it) =>
              close1(it.posterior) &&
              it.posterior.every((p) => p >= 0) &&
              it.confidence === Math.max(...it.posterior) &&
              it.posterior[res.classes.indexOf(it.label)] === it.confidence,
          ) &&
          res.annotators.every((a) => a.confusion.every(close1) && a.accuracy >= 0 && a.accuracy <= 1 + 1e-12)
        );
      }),
    );
  });
});

/** mulberry32: small seeded PRNG so the simulation is reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 300 items, 3 classes, 5 annotators of accuracy 0.9, 0.85, 0.8, 0.75 and one uniform-random. */
function simulate(seed: number): { answers: Annotation[]; truth: number[] } {
  const rand = mulberry32(seed);
  const accuracies = [0.9, 0.85, 0.8, 0.75, null];
  const truth: number[] = [];
  const answers: Annotation[] = [];
  for (let i = 0; i < 300; i++) {
    const t = Math.floor(rand() * 3);
    truth.push(t);
    accuracies.forEach((acc, w) => {
      let label: number;
      if (acc === null) label = Math.floor(rand() * 3);
      else if (rand() < acc) label = t;
      else label = (t + 1 + Math.floor(rand() * 2)) % 3; // uniformly one of the two wrong classes
      answers.push({ item: i, annotator: `ann${w}`, label });
    });
  }
  return { answers, truth };
}

describe('dawidSkene simulation (seeded)', () => {
  const { answers, truth } = simulate(20240611);
  const res = dawidSkene(answers, { maxIter: 200, tol: 1e-9 });

  // Majority vote, with ties credited fractionally (1/#leaders if the truth is among them).
  const byItem = new Map<number, number[]>();
  for (const a of answers) byItem.set(a.item as number, [...(byItem.get(a.item as number) ?? []), a.label as number]);
  let mvCorrect = 0;
  byItem.forEach((labels, item) => {
    const mv = majorityVote(labels);
    if (mv.leaders.includes(truth[item])) mvCorrect += 1 / mv.leaders.length;
  });
  const mvAccuracy = mvCorrect / truth.length;
  const dsAccuracy = res.items.filter((it) => it.label === truth[it.item as number]).length / truth.length;

  it('Dawid–Skene recovers the true labels better than majority vote', () => {
    expect(res.converged).toBe(true);
    expect(dsAccuracy).toBeGreaterThan(mvAccuracy);
  });

  it('gives the random annotator the lowest estimated accuracy, near 1/3', () => {
    const acc = Object.fromEntries(res.annotators.map((a) => [a.annotator, a.accuracy]));
    const lowest = res.annotators.reduce((m, a) => (a.accuracy < m.accuracy ? a : m));
    expect(lowest.annotator).toBe('ann4');
    expect(Math.abs(acc.ann4 - 1 / 3)).toBeLessThan(0.08);
    // the skilled annotators are estimated close to their true accuracies, in the right order
    [0.9, 0.85, 0.8, 0.75].forEach((p, w) => expect(Math.abs(acc[`ann${w}`] - p)).toBeLessThan(0.06));
    expect(acc.ann0).toBeGreaterThan(acc.ann3);
  });
});
