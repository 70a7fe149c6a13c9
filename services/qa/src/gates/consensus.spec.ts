/**
 * The item gate on a simulated workforce: three careful annotators and one who answers at
 * random (the statistics themselves are checked against crowd-kit in libs/qa-metrics).
 */
import { Mulberry32 } from '@labelloop/drift-stats';
import type { Annotation } from '@labelloop/qa-metrics';
import { decideItem, QaPolicy, roundWindow } from './consensus';

const policy: QaPolicy = { method: 'dawid_skene', minConfidence: 0.8, annotatorFloor: 0.7, minGoldForPause: 10, minAnswersForPause: 30 };

function simulate(items: number, seed: number) {
  const rng = new Mulberry32(seed);
  const annotators = [
    { id: 'ada', acc: 0.95 },
    { id: 'grace', acc: 0.85 },
    { id: 'alan', acc: 0.7 },
    { id: 'linus', acc: 0.5 }, // careless: a coin flip on two classes
    { id: 'bob', acc: 0.5 }, // careless too
  ];
  const truth = new Map<string, string>();
  const window: Annotation[] = [];
  for (let i = 0; i < items; i++) {
    const t = rng.next() < 0.4 ? 'spam' : 'ham';
    truth.set(`i${i}`, t);
    for (const a of annotators) window.push({ item: `i${i}`, annotator: a.id, label: rng.next() < a.acc ? t : t === 'spam' ? 'ham' : 'spam' });
  }
  return { truth, window };
}

describe('item gate with Dawid–Skene', () => {
  it('waits for the overlap, then accepts with the consensus label', () => {
    const { window } = simulate(200, 1);
    expect(decideItem('i0', ['ham'], 5, window, policy).decision).toEqual({ outcome: 'wait' });
    const answers = window.filter((a) => a.item === 'i0').map((a) => String(a.label));
    expect(decideItem('i0', answers, 5, window, policy).decision.outcome).not.toBe('wait');
  });

  it('accepts labels more accurately than majority vote and estimates the careless annotator lowest', () => {
    let dsCorrect = 0;
    let mvCorrect = 0;
    for (const seed of [7, 8, 9]) {
      const { truth, window } = simulate(300, seed);
      let estimated: Map<string, { accuracy: number }> | undefined;
      for (const [item, t] of truth) {
        const answers = window.filter((a) => a.item === item).map((a) => String(a.label));
        const ds = decideItem(item, answers, 5, window, { ...policy, minConfidence: 0 });
        if (ds.decision.outcome === 'accept' && ds.decision.label === t) dsCorrect++;
        const mv = decideItem(item, answers, 5, window, { ...policy, method: 'majority', minConfidence: 0 }).decision;
        if (mv.outcome === 'accept' && mv.label === t) mvCorrect++;
        estimated = ds.estimated;
      }
      const ranked = [...estimated!].sort((a, b) => a[1].accuracy - b[1].accuracy).map(([id]) => id);
      expect(ranked.slice(0, 2).sort()).toEqual(['bob', 'linus']);
      expect(estimated!.get('linus')!.accuracy).toBeLessThan(0.65);
    }
    expect(dsCorrect).toBeGreaterThan(mvCorrect);
  });

  it('sends a low-confidence consensus back for review, and escalates a majority tie', () => {
    const window: Annotation[] = [
      { item: 'x', annotator: 'a', label: 'spam' },
      { item: 'x', annotator: 'b', label: 'ham' },
    ];
    expect(decideItem('x', ['spam', 'ham'], 2, window, { ...policy, method: 'majority' }).decision).toMatchObject({
      outcome: 'rework',
      reason: expect.stringMatching(/^tie between ham, spam/),
    });
    expect(decideItem('x', ['spam', 'ham'], 2, window, policy).decision).toMatchObject({
      outcome: 'rework',
      reason: expect.stringMatching(/^consensus confidence 0\.\d+ below 0.8/),
    });
  });

  it('never accepts a label no answer of the round gave: a reworked item is judged on its new round', () => {
    // Five annotators on 60 items, then item x: round 0 said ham (ada, grace, alan) and was sent
    // back; round 1 (grace and alan again) says spam.
    const { window } = simulate(60, 3);
    const round0 = ['ada', 'grace', 'alan'].map((annotator) => ({ item: 'x', annotator, label: 'ham' }));
    const round1 = ['grace', 'alan'].map((annotator) => ({ item: 'x', annotator, label: 'spam' }));
    const everything = [...window, ...round0, ...round1];
    // Over every round, Dawid–Skene favours ham, which round 1 did not give: escalated, not accepted.
    expect(decideItem('x', ['spam', 'spam'], 2, everything, { ...policy, minConfidence: 0 }).decision).toMatchObject({
      outcome: 'rework',
      reason: 'Dawid–Skene favours ham, which no answer of this round gave: escalated to a reviewer',
    });
    // Judged on its current round only, the item gets round 1's label.
    const scoped = roundWindow(everything, 'x', round1);
    expect(scoped.filter((a) => a.item === 'x')).toEqual(round1);
    expect(decideItem('x', ['spam', 'spam'], 2, scoped, { ...policy, minConfidence: 0 }).decision).toMatchObject({
      outcome: 'accept',
      label: 'spam',
      agreement: 1,
    });
  });
});
