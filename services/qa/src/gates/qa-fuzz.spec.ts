/**
 * Property tests over the QA service's pure decision code: on every valid input of the shapes
 * the submission consumer passes (string label keys, an item's round answers inside a window of
 * the project's recent answers, batches of items' answers), the gates never throw, every figure
 * is finite (or the documented NaN the caller handles), probabilities lie in [0, 1] and sum to 1,
 * and the same input gives the same decision.
 */
import fc from 'fast-check';
import { dawidSkene, fleissKappa, majorityVote, cohenKappa, krippendorffAlpha, wilsonInterval, type Annotation } from '@labelloop/qa-metrics';
import { judgeBatch } from './batch-gate';
import { decideItem, roundWindow, type QaPolicy } from './consensus';

const opts = { numRuns: 100 };

/** Label keys as labelKey() makes them: sorted classes joined by '|'. */
const LABELS = ['cat', 'dog', 'bird', 'cat|dog', 'a', 'b', '0', '1', 'constructor', '__proto__'];
const label = (k: number) => fc.constantFrom(...LABELS.slice(0, k));
const ids = (prefix: string, n: number) => fc.integer({ min: 0, max: n - 1 }).map((i) => `${prefix}${i}`);

/** A project's recent answers: `nItems` items, `nAnn` annotators, `nLab` labels; skewed shapes included. */
const windowArb = fc
  .record({ nItems: fc.integer({ min: 1, max: 12 }), nAnn: fc.integer({ min: 1, max: 6 }), nLab: fc.integer({ min: 1, max: 5 }) })
  .chain(({ nItems, nAnn, nLab }) =>
    fc
      .array(fc.record({ item: ids('i', nItems), annotator: ids('w', nAnn), label: label(nLab) }), { minLength: 0, maxLength: 80 })
      .map((w) => ({ w, nAnn, nLab })),
  );

/** An item's round: `required` (2..6) or more answers by distinct or repeated annotators. */
const roundArb = (nAnn: number, nLab: number) => fc.array(fc.record({ annotator: ids('w', nAnn + 2), label: label(nLab) }), { minLength: 1, maxLength: 7 });

const policyArb = fc.record({
  method: fc.constantFrom<'majority' | 'dawid_skene'>('majority', 'dawid_skene'),
  minConfidence: fc.oneof(fc.constantFrom(0, 0.5, 0.8, 1), fc.double({ min: 0, max: 1, noNaN: true })),
  annotatorFloor: fc.constant(0.7),
  minGoldForPause: fc.constant(10),
  minAnswersForPause: fc.constant(30),
});

function checkDecision(d: ReturnType<typeof decideItem>, answers: string[], required: number, policy: QaPolicy): void {
  const { decision, estimated } = d;
  if (answers.length < required) {
    expect(decision).toEqual({ outcome: 'wait' });
    return;
  }
  expect(['accept', 'rework']).toContain(decision.outcome);
  if (decision.outcome === 'rework') {
    expect(typeof decision.reason).toBe('string');
    expect(decision.reason).not.toMatch(/NaN|undefined/);
  }
  if (decision.outcome === 'accept') {
    expect(answers).toContain(decision.label);
    expect(Number.isFinite(decision.confidence)).toBe(true);
    expect(decision.confidence).toBeGreaterThanOrEqual(policy.minConfidence);
    expect(decision.confidence).toBeLessThanOrEqual(1 + 1e-12);
    expect(decision.agreement).toBeGreaterThan(0);
    expect(decision.agreement).toBeLessThanOrEqual(1);
  }
  for (const [, e] of estimated ?? []) {
    expect(Number.isFinite(e.accuracy)).toBe(true);
    expect(e.accuracy).toBeGreaterThanOrEqual(0);
    expect(e.accuracy).toBeLessThanOrEqual(1 + 1e-12);
    expect(Number.isInteger(e.count) && e.count > 0).toBe(true);
  }
}

function checkDawidSkene(anns: Annotation[], res: ReturnType<typeof dawidSkene>): void {
  const near1 = (xs: number[]) => expect(Math.abs(xs.reduce((s, x) => s + x, 0) - 1)).toBeLessThan(1e-9);
  const prob = (x: number) => {
    expect(Number.isFinite(x)).toBe(true);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(1 + 1e-12);
  };
  expect(res.items.length).toBe(new Set(anns.map((a) => a.item)).size);
  for (const it of res.items) {
    it.posterior.forEach(prob);
    near1(it.posterior);
    expect(res.classes).toContain(it.label);
    expect(it.confidence).toBe(Math.max(...it.posterior));
  }
  res.classPriors.forEach(prob);
  near1(res.classPriors);
  for (const a of res.annotators) {
    prob(a.accuracy);
    for (const row of a.confusion) {
      row.forEach(prob);
      near1(row);
    }
  }
  expect(Number.isNaN(res.logLikelihood)).toBe(false);
}

describe('QA fuzz: item gate (decideItem)', () => {
  // 'i0' is also an id the window uses: the item itself is among the window's items.
  it.each(['x', 'i0'])('never throws, accepts only a label of the round with a finite confidence ≥ minConfidence, and is deterministic (item %s)', (item) => {
    fc.assert(
      fc.property(windowArb, fc.integer({ min: 1, max: 6 }), policyArb, ({ w, nAnn, nLab }, required, policy) =>
        fc.assert(
          fc.property(roundArb(nAnn, nLab), (round0) => {
            const round: Annotation[] = round0.map((r) => ({ item, ...r }));
            const window = roundWindow(w, item, round);
            const answers = round.map((a) => String(a.label));
            const d = decideItem(item, answers, required, window, policy);
            checkDecision(d, answers, required, policy);
            expect(decideItem(item, answers, required, window, policy)).toEqual(d);
          }),
          { numRuns: 3 },
        ),
      ),
      opts,
    );
  });

  it('degenerate windows: one annotator answering everything, everybody agreeing, one class', () => {
    const policy: QaPolicy = { method: 'dawid_skene', minConfidence: 0.8, annotatorFloor: 0.7, minGoldForPause: 10, minAnswersForPause: 30 };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('one-annotator', 'all-agree', 'one-class', 'constant-per-annotator'),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (nItems, nAnn, shape, required, seed) => {
          let r = seed;
          const rnd = () => (r = (r * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
          const w: Annotation[] = [];
          for (let i = 0; i < nItems; i++) {
            const truth = LABELS[Math.floor(rnd() * 3)];
            for (let a = 0; a < (shape === 'one-annotator' ? 1 : nAnn); a++) {
              const l = shape === 'one-class' ? 'cat' : shape === 'all-agree' ? truth : shape === 'constant-per-annotator' ? LABELS[a % 3] : truth;
              w.push({ item: `i${i}`, annotator: `w${a}`, label: l });
            }
          }
          const round = Array.from({ length: required }, (_, k) => ({
            item: 'x',
            annotator: `w${k % nAnn}`,
            label: shape === 'one-class' ? 'cat' : LABELS[k % 2],
          }));
          const answers = round.map((a) => a.label);
          checkDecision(decideItem('x', answers, required, roundWindow(w, 'x', round), policy), answers, required, policy);
        },
      ),
      opts,
    );
  });
});

describe('QA fuzz: Dawid–Skene', () => {
  it('posteriors, priors and confusion rows are probabilities summing to 1 (default smoothing, maxIter 50)', () => {
    fc.assert(
      fc.property(windowArb, ({ w }) => {
        fc.pre(w.length > 0);
        checkDawidSkene(w, dawidSkene(w, { maxIter: 50, tol: 1e-6 }));
      }),
      opts,
    );
  });

  it('the same with smoothing 0 and an unused class (EM 0/0 cases)', () => {
    fc.assert(
      fc.property(windowArb, fc.constantFrom(0, 1e-10, 0.01), fc.boolean(), ({ w, nLab }, smoothing, extra) => {
        fc.pre(w.length > 0);
        const classes = extra ? [...LABELS.slice(0, nLab), 'never'] : undefined;
        checkDawidSkene(w, dawidSkene(w, { maxIter: 50, tol: 1e-6, smoothing, classes }));
      }),
      opts,
    );
  });

  it('one annotator who always gives one class, and a class nobody chose', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, 0.01), (n, others, smoothing) => {
        const w: Annotation[] = [];
        for (let i = 0; i < n; i++) {
          w.push({ item: `i${i}`, annotator: 'stuck', label: 'cat' });
          for (let a = 0; a < others; a++) w.push({ item: `i${i}`, annotator: `w${a}`, label: (i + a) % 2 ? 'cat' : 'dog' });
        }
        checkDawidSkene(w, dawidSkene(w, { maxIter: 50, tol: 1e-6, smoothing, classes: ['bird', 'cat', 'dog'] }));
      }),
      opts,
    );
  });
});

describe('QA fuzz: batch gate (judgeBatch, fleissKappa)', () => {
  const batchArb = fc.array(fc.array(label(5), { minLength: 0, maxLength: 7 }), { minLength: 0, maxLength: 30 });
  const goldArb = fc.integer({ min: 0, max: 1000 }).chain((n) => fc.record({ answers: fc.constant(n), correct: fc.integer({ min: 0, max: n }) }));
  const thrArb = fc.record({ minBatchKappa: fc.double({ min: -1, max: 1, noNaN: true }), minBatchGoldAccuracy: fc.double({ min: 0, max: 1, noNaN: true }) });

  it('never throws; kappa is null or finite in [-1, 1]; the verdict follows the figures', () => {
    fc.assert(
      fc.property(batchArb, goldArb, thrArb, (batch, gold, t) => {
        const v = judgeBatch(batch, gold, t);
        if (v.kappa !== null) {
          expect(Number.isFinite(v.kappa)).toBe(true);
          expect(v.kappa).toBeGreaterThanOrEqual(-1 - 1e-12);
          expect(v.kappa).toBeLessThanOrEqual(1 + 1e-12);
        }
        if (v.goldAccuracy !== null) expect(Number.isFinite(v.goldAccuracy)).toBe(true);
        const ok = (v.kappa === null || v.kappa >= t.minBatchKappa) && (v.goldAccuracy === null || v.goldAccuracy >= t.minBatchGoldAccuracy);
        expect(v.passed).toBe(ok);
        expect(v.reason).not.toMatch(/NaN|undefined/);
        // Item order does not change the kappa (closeBatch reads items ORDER BY item_id).
        expect(judgeBatch([...batch].reverse(), gold, t).kappa).toBe(v.kappa);
      }),
      opts,
    );
  });

  it('large and lopsided count tables give a finite kappa or NaN only for a single category', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 1e6 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 20 }),
        (n, raw) => {
          const k = raw[0].length;
          // rows with total n: spread n over the k categories by the raw weights
          const rows = raw.map((r) => {
            const rr = [...r.slice(0, k), ...new Array(Math.max(0, k - r.length)).fill(0)];
            const s = rr.reduce((a, b) => a + b, 0);
            const out = rr.map((x) => (s === 0 ? 0 : Math.floor((x / s) * n)));
            out[0] += n - out.reduce((a, b) => a + b, 0);
            return out;
          });
          const kap = fleissKappa(rows);
          const used = rows[0].map((_, j) => rows.some((r) => r[j] > 0)).filter(Boolean).length;
          if (used <= 1) expect(Number.isNaN(kap)).toBe(true);
          else {
            expect(Number.isFinite(kap)).toBe(true);
            expect(kap).toBeLessThanOrEqual(1 + 1e-9);
          }
        },
      ),
      opts,
    );
  });
});

describe('QA fuzz: the other metrics', () => {
  it('majorityVote: share in (0, 1], leaders sorted, label iff no tie', () => {
    fc.assert(
      fc.property(fc.array(label(6), { minLength: 1, maxLength: 50 }), (ls) => {
        const v = majorityVote(ls);
        expect(v.share).toBeGreaterThan(0);
        expect(v.share).toBeLessThanOrEqual(1);
        expect(v.tie).toBe(v.leaders.length > 1);
        expect(v.label).toBe(v.tie ? null : v.leaders[0]);
        expect(majorityVote([...ls].reverse())).toEqual(v);
      }),
      opts,
    );
  });

  it('cohenKappa and krippendorffAlpha (nominal): finite in [-1, 1] or NaN only when undefined', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(label(4), label(4)), { minLength: 1, maxLength: 40 }), (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const k = cohenKappa(a, b);
        if (new Set([...a, ...b]).size === 1) expect(Number.isNaN(k)).toBe(true);
        else {
          expect(Number.isFinite(k)).toBe(true);
          expect(k).toBeGreaterThanOrEqual(-1 - 1e-12);
          expect(k).toBeLessThanOrEqual(1 + 1e-12);
        }
        const al = krippendorffAlpha([a, b], 'nominal');
        if (new Set([...a, ...b]).size === 1) expect(Number.isNaN(al)).toBe(true);
        else {
          expect(Number.isFinite(al)).toBe(true);
          expect(al).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
      opts,
    );
  });

  it('wilsonInterval: 0 ≤ lower ≤ p ≤ upper ≤ 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        ([s, n]) => {
          const [lo, hi] = wilsonInterval(s, n);
          expect(Number.isFinite(lo) && Number.isFinite(hi)).toBe(true);
          expect(lo).toBeGreaterThanOrEqual(0);
          expect(hi).toBeLessThanOrEqual(1);
          expect(lo).toBeLessThanOrEqual(s / n + 1e-12);
          expect(hi).toBeGreaterThanOrEqual(s / n - 1e-12);
        },
      ),
      opts,
    );
  });
});

/*
 * Found by the first batch-gate property (2,000 runs, [["dog","cat","cat"]] at -0.5): fleissKappa
 * summed P̄ and P̄e in floating point, so a batch whose kappa is exactly the threshold came out a
 * few ulps below it and judgeBatch (`k < t.minBatchKappa`) failed it: "Fleiss' kappa 0.500 over
 * 6 items is below 0.5", or with the service default QA_MIN_BATCH_KAPPA=0, "Fleiss' kappa
 * -0.000 over 4 items is below 0", and every held item of the batch was sent back. The
 * reference here is the kappa as an exact fraction (BigInt), from the textbook definition.
 */
describe('QA fuzz: batch gate at its threshold', () => {
  /** Fleiss' kappa of equal-size rows as an exact fraction [num, den] (den > 0), or null when undefined. */
  function exactKappa(rows: string[][]): [bigint, bigint] | null {
    const n = BigInt(rows[0].length);
    const M = BigInt(rows.length) * n;
    let S = 0n;
    const T = new Map<string, bigint>();
    for (const r of rows) {
      const c = new Map<string, bigint>();
      for (const x of r) c.set(x, (c.get(x) ?? 0n) + 1n);
      for (const [x, v] of c) {
        S += v * v;
        T.set(x, (T.get(x) ?? 0n) + v);
      }
    }
    let Q = 0n;
    for (const v of T.values()) Q += v * v;
    // κ = ((S − M)·M − Q·(n − 1)) / ((n − 1)·(M² − Q)), M = N·n, S = Σ n_ij², Q = Σ_j T_j²
    const den = (n - 1n) * (M * M - Q);
    if (den === 0n) return null;
    return [(S - M) * M - Q * (n - 1n), den];
  }
  const noGold = { answers: 0, correct: 0 };
  const ZERO = [
    ['cat', 'cat', 'dog'],
    ['bird', 'cat', 'bird'],
    ['cat', 'cat', 'cat'],
    ['dog', 'cat', 'cat'],
  ];
  const HALF = [
    ['cat', 'cat'],
    ['dog', 'dog'],
    ['cat', 'bird'],
    ['bird', 'bird'],
    ['dog', 'dog'],
    ['bird', 'cat'],
  ];

  it('the counterexamples really are exactly 0 and 1/2', () => {
    expect(exactKappa(ZERO)![0]).toBe(0n);
    const [num, den] = exactKappa(HALF)!;
    expect(2n * num).toBe(den);
  });

  it('a batch whose kappa is exactly 0 passes the default threshold 0', () => {
    expect(judgeBatch(ZERO, noGold, { minBatchKappa: 0, minBatchGoldAccuracy: 0 })).toMatchObject({ passed: true, reason: '' });
  });

  it('a batch whose kappa is exactly 1/2 passes a threshold of 0.5', () => {
    expect(judgeBatch(HALF, noGold, { minBatchKappa: 0.5, minBatchGoldAccuracy: 0 })).toMatchObject({ passed: true, reason: '' });
  });

  it('property: a batch whose kappa equals the (correctly rounded) threshold passes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }).chain((n) => fc.array(fc.array(label(4), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 30 })),
        (rows) => {
          const e = exactKappa(rows);
          fc.pre(e !== null);
          const t = Number(e![0]) / Number(e![1]); // correctly rounded: both fit in 2^53
          fc.pre(t >= -1);
          const v = judgeBatch(rows, noGold, { minBatchKappa: t, minBatchGoldAccuracy: 0 });
          expect(v.reason).toBe('');
          expect(v.passed).toBe(true);
        },
      ),
      opts,
    );
  });
});
