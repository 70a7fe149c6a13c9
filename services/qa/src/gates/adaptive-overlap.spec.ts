/**
 * Adaptive overlap as a pure decision: one more answer while the item gate would send the item
 * back and the policy's maximum is not reached; the gate's own decision otherwise. Property tests
 * drive the whole loop (decide, ask, answer, decide again) over random answers with both
 * consensus methods, as the submission consumer runs it.
 */
import fc from 'fast-check';
import { Mulberry32 } from '@labelloop/drift-stats';
import type { Annotation } from '@labelloop/qa-metrics';
import { nextOverlapStep, type OverlapStep } from './adaptive-overlap';
import { decideItem, roundWindow, type ItemDecision, type QaPolicy } from './consensus';

const policy: QaPolicy = { method: 'dawid_skene', minConfidence: 0.8, annotatorFloor: 0.7, minGoldForPause: 10, minAnswersForPause: 30 };
const accept: ItemDecision = { outcome: 'accept', label: 'spam', confidence: 0.9, agreement: 1, method: 'dawid_skene' };

describe('nextOverlapStep', () => {
  it('asks for one more answer instead of a rework while below the maximum, naming the doubt without the reviewer', () => {
    const tie: ItemDecision = { outcome: 'rework', reason: 'tie between ham, spam: escalated to a reviewer' };
    expect(nextOverlapStep(tie, 2, 4)).toEqual({ outcome: 'more_answers', target: 3, reason: 'tie between ham, spam' });
    const low: ItemDecision = { outcome: 'rework', reason: 'consensus confidence 0.55 below 0.8' };
    expect(nextOverlapStep(low, 3, 4)).toEqual({ outcome: 'more_answers', target: 4, reason: 'consensus confidence 0.55 below 0.8' });
  });

  it('sends the item back as before at the maximum, and when adaptive overlap is off', () => {
    const low: ItemDecision = { outcome: 'rework', reason: 'consensus confidence 0.55 below 0.8' };
    expect(nextOverlapStep(low, 4, 4)).toBe(low);
    expect(nextOverlapStep(low, 2, 0)).toBe(low);
  });

  it('leaves an accepted item and one still waiting alone', () => {
    expect(nextOverlapStep(accept, 1, 5)).toBe(accept);
    expect(nextOverlapStep({ outcome: 'wait' }, 1, 5)).toEqual({ outcome: 'wait' });
  });

  it('never asks beyond max_answers, asks for exactly one more, and never overrides the gate (property)', () => {
    const decision = fc.oneof(
      fc.constant<ItemDecision>(accept),
      fc.constant<ItemDecision>({ outcome: 'wait' }),
      fc.string().map<ItemDecision>((reason) => ({ outcome: 'rework', reason })),
    );
    fc.assert(
      fc.property(decision, fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 20 }), (d, answers, max) => {
        const step = nextOverlapStep(d, answers, max);
        if (step.outcome === 'more_answers') {
          expect(d.outcome).toBe('rework');
          expect(step.target).toBe(answers + 1);
          expect(step.target).toBeLessThanOrEqual(max);
        } else {
          expect(step).toBe(d);
        }
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Runs one item through the loop: `answers` arrive one at a time; the item is decided once it
 * has `required`, and every `more_answers` raises `required` to its target. Returns the final
 * step, how many answers it used and the gate's decision at every count it was decided on.
 */
function runItem(item: string, answers: Annotation[], required: number, maxAnswers: number, window: Annotation[], p: QaPolicy) {
  const gates: ItemDecision[] = [];
  for (let n = required; n <= answers.length; n++) {
    if (n < required) continue;
    const round = answers.slice(0, n);
    const { decision } = decideItem(
      item,
      round.map((a) => String(a.label)),
      required,
      roundWindow(window, item, round),
      p,
      maxAnswers > 0,
      maxAnswers > n,
    );
    gates.push(decision);
    const step: OverlapStep = nextOverlapStep(decision, n, maxAnswers);
    if (step.outcome !== 'more_answers') return { step, used: n, gates };
    required = step.target;
  }
  return { step: { outcome: 'wait' } as OverlapStep, used: answers.length, gates };
}

describe('adaptive overlap over whole items (property)', () => {
  const labels = fc.constantFrom('ham', 'spam', 'phish');
  const historyArb = fc.array(
    fc.record({ item: fc.integer({ min: 0, max: 9 }).map((i) => `h${i}`), annotator: fc.constantFrom('a', 'b', 'c', 'd'), label: labels }),
    {
      maxLength: 40,
    },
  );
  const answersArb = fc.array(fc.record({ annotator: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), label: labels }), { minLength: 8, maxLength: 8 });

  it('stops at the first count the gate accepts, never uses more than max_answers, and reworks only at the maximum', () => {
    fc.assert(
      fc.property(
        historyArb,
        answersArb,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom<QaPolicy['method']>('dawid_skene', 'majority'),
        fc.constantFrom(0.5, 0.7, 0.9),
        (history, raw, required, maxAnswers, method, minConfidence) => {
          const p = { ...policy, method, minConfidence };
          const answers = raw.map((a) => ({ item: 'x', ...a }));
          const { step, used, gates } = runItem('x', answers, required, maxAnswers, history, p);
          expect(step.outcome).not.toBe('wait'); // 8 answers always reach a decision (max ≤ 6)
          expect(used).toBeLessThanOrEqual(Math.max(required, maxAnswers));
          // Every count before the last was below the gate; the last is the gate's own decision.
          for (const g of gates.slice(0, -1)) expect(g.outcome).toBe('rework');
          expect(step).toEqual(gates[gates.length - 1]);
          if (step.outcome === 'accept') expect(step.confidence).toBeGreaterThanOrEqual(minConfidence);
          if (step.outcome === 'rework') expect(used).toBe(Math.max(required, maxAnswers));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the cautious gate of adaptive overlap', () => {
  // ada answered 60 items alone (each accepted on her answer) and 6 with grace, where she was
  // wrong twice. Counting her lone items, Dawid–Skene rates her near-flawless.
  const history: Annotation[] = [];
  for (let i = 0; i < 60; i++) history.push({ item: `alone${i}`, annotator: 'ada', label: i % 3 ? 'ham' : 'spam' });
  for (let i = 0; i < 6; i++) {
    history.push({ item: `both${i}`, annotator: 'grace', label: 'ham' });
    history.push({ item: `both${i}`, annotator: 'ada', label: i < 2 ? 'spam' : 'ham' });
  }
  const gate = { ...policy, minConfidence: 0.9 };

  it("does not accept a lone answer on a record the annotator's own lone answers made", () => {
    const round: Annotation[] = [{ item: 'x', annotator: 'ada', label: 'spam' }];
    const weighOnly = decideItem('x', ['spam'], 1, roundWindow(history, 'x', round), gate, true, false);
    // Without the cautious gate (before it existed) her lone answer clears 0.9 at once.
    expect(weighOnly.decision).toMatchObject({ outcome: 'accept', label: 'spam' });
    expect(weighOnly.estimated?.get('ada')?.accuracy).toBeGreaterThan(0.95);
    const { decision } = decideItem('x', ['spam'], 1, roundWindow(history, 'x', round), gate, true, true);
    expect(decision).toMatchObject({ outcome: 'rework', reason: expect.stringMatching(/^cautious confidence 0\.\d+ below 0\.9/) });
    expect(nextOverlapStep(decision, 1, 3)).toMatchObject({ outcome: 'more_answers', target: 2 });
  });

  it('accepts once a second annotator with a record agrees, and decides plainly at the maximum', () => {
    const round: Annotation[] = [
      { item: 'x', annotator: 'ada', label: 'ham' },
      { item: 'x', annotator: 'grace', label: 'ham' },
    ];
    const many = [...history];
    for (let i = 0; i < 40; i++) many.push({ item: `more${i}`, annotator: 'grace', label: 'ham' }, { item: `more${i}`, annotator: 'ada', label: 'ham' });
    const { decision } = decideItem('x', ['ham', 'ham'], 2, roundWindow(many, 'x', round), gate, true, true);
    expect(decision).toMatchObject({ outcome: 'accept', label: 'ham' });
    expect((decision as { confidence: number }).confidence).toBeGreaterThanOrEqual(0.9);
    // With no more answers to ask for, the plain Dawid–Skene confidence decides (here: accept).
    const lone: Annotation[] = [{ item: 'y', annotator: 'ada', label: 'spam' }];
    expect(decideItem('y', ['spam'], 1, roundWindow(history, 'y', lone), gate, true, false).decision.outcome).toBe('accept');
  });
});

describe('adaptive overlap on a simulated workforce', () => {
  // Three careful annotators and two who answer at random on two classes, as in consensus.spec.ts.
  const workforce = [
    { id: 'ada', acc: 0.95 },
    { id: 'grace', acc: 0.9 },
    { id: 'alan', acc: 0.85 },
    { id: 'linus', acc: 0.5 },
    { id: 'bob', acc: 0.5 },
  ];

  it('spends fewer answers per accepted label than a fixed overlap of 3, at no lower accuracy', () => {
    const cost = { fixed: { answers: 0, correct: 0, accepted: 0 }, adaptive: { answers: 0, correct: 0, accepted: 0 } };
    for (const seed of [11, 12, 13]) simulateProject(seed, cost);
    const perLabel = (c: { answers: number; accepted: number }) => c.answers / c.accepted;
    const accuracy = (c: { correct: number; accepted: number }) => c.correct / c.accepted;
    // Measured over the three seeds (300 items, gate 0.9): fixed 900 answers for 233 accepted labels
    // (3.86 each, 95.3 % correct); adaptive (k = 1, at most 3) 642 for 238 (2.70 each, 95.0 %).
    expect(perLabel(cost.adaptive)).toBeLessThan(0.7 * perLabel(cost.fixed));
    expect(accuracy(cost.adaptive)).toBeGreaterThanOrEqual(accuracy(cost.fixed) - 0.01);
    expect(cost.adaptive.accepted).toBeGreaterThanOrEqual(0.95 * cost.fixed.accepted);
  });

  type Cost = Record<'fixed' | 'adaptive', { answers: number; correct: number; accepted: number }>;
  function simulateProject(seed: number, cost: Cost): void {
    const rng = new Mulberry32(seed);
    const flip = (t: string) => (t === 'spam' ? 'ham' : 'spam');
    const answer = (item: string, t: string, a: (typeof workforce)[number]): Annotation => ({ item, annotator: a.id, label: rng.next() < a.acc ? t : flip(t) });
    // The project's history: 100 items answered by everyone (what the estimates learn from).
    const history: Annotation[] = [];
    for (let i = 0; i < 100; i++) {
      const t = rng.next() < 0.4 ? 'spam' : 'ham';
      for (const a of workforce) history.push(answer(`h${i}`, t, a));
    }
    for (let i = 0; i < 100; i++) {
      const t = rng.next() < 0.4 ? 'spam' : 'ham';
      const order = [...workforce].sort(() => rng.next() - 0.5); // whoever comes first takes the task
      const answers = order.map((a) => answer(`x${i}`, t, a));
      for (const [mode, required, max] of [
        ['fixed', 3, 0],
        ['adaptive', 1, 3],
      ] as const) {
        const { step, used } = runItem(`x${i}`, answers, required, max, history, { ...policy, minConfidence: 0.9 });
        cost[mode].answers += used;
        if (step.outcome === 'accept') {
          cost[mode].accepted++;
          if (step.label === t) cost[mode].correct++;
        }
      }
    }
  }
});
