import fc from 'fast-check';
import { cautiousPosterior, type SkillEvidence } from './cautious-posterior';
import { wilsonInterval } from './gold-accuracy';

/** Bayes' rule written out class by class (the independent check of the grouped computation). */
function bruteForce(answers: { annotator: string; label: string }[], label: string, classes: string[], p: Map<string, number>): number {
  const like = (c: string) => answers.reduce((l, a) => l * (a.label === c ? p.get(a.annotator)! : (1 - p.get(a.annotator)!) / (classes.length - 1)), 1);
  return like(label) / classes.reduce((s, c) => s + like(c), 0);
}

describe('cautiousPosterior', () => {
  it('Wilson bounds as Newcombe (1998) tabulates them: 81/263 at 95 % is 0.2553 to 0.3662', () => {
    const [lo, hi] = wilsonInterval(81, 263);
    expect(lo).toBeCloseTo(0.2553, 4);
    expect(hi).toBeCloseTo(0.3662, 4);
  });

  it('two agreeing annotators with 19 of 20 shared answers right: the lower Wilson bound (z = 1) of each, 0.8764, gives 0.9805', () => {
    // Worked by hand: p = .95, centre .975, spread .05477, lower (.975 − .05477)/1.05 = .87641;
    // posterior .87641² / (.87641² + .12359²) = .98050.
    const skill = new Map<string, SkillEvidence>([
      ['ada', { correct: 19, total: 20 }],
      ['grace', { correct: 19, total: 20 }],
    ]);
    const post = cautiousPosterior(
      [
        { annotator: 'ada', label: 'spam' },
        { annotator: 'grace', label: 'spam' },
      ],
      'spam',
      2,
      skill,
      1,
    );
    expect(post).toBeCloseTo(0.9805, 4);
  });

  it('an annotator nobody else has checked moves nothing: one answer alone stays at 1/K', () => {
    expect(cautiousPosterior([{ annotator: 'new', label: 'a' }], 'a', 3, new Map(), 1)).toBeCloseTo(1 / 3, 6);
    // The same answer of someone with a long, good record does clear a 0.99 gate.
    const veteran = new Map([['old', { correct: 2000, total: 2001 }]]);
    expect(cautiousPosterior([{ annotator: 'old', label: 'a' }], 'a', 3, veteran, 1)).toBeGreaterThan(0.99);
  });

  it('equals Bayes class by class with lower bounds for agreeing and upper bounds for dissenting answers (random cases)', () => {
    const classes = ['a', 'b', 'c', 'd'];
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.record({ annotator: fc.constantFrom('p', 'q', 'r', 's'), label: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 8, maxLength: 8 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (k, raw, counts, z) => {
          const cls = classes.slice(0, k);
          const answers = raw.map((a) => ({ annotator: a.annotator, label: cls[a.label % k] }));
          const skill = new Map<string, SkillEvidence>(
            ['p', 'q', 'r', 's'].map((n, i) => [n, { correct: Math.min(counts[2 * i], counts[2 * i + 1]), total: Math.max(counts[2 * i], counts[2 * i + 1]) }]),
          );
          const label = answers[0].label;
          const p = new Map<string, number>();
          for (const a of answers) {
            const e = skill.get(a.annotator)!;
            const [lo, hi] = e.total > 0 ? wilsonInterval(e.correct, e.total, z) : [0, 1];
            // Per answer, not per annotator: the same person can agree in one answer and not in another.
            p.set(a.annotator + a.label, Math.min(1 - 1e-6, Math.max(1 / k + 1e-9, a.label === label ? lo : hi)));
          }
          const keyed = answers.map((a) => ({ annotator: a.annotator + a.label, label: a.label }));
          expect(cautiousPosterior(answers, label, k, skill, z)).toBeCloseTo(bruteForce(keyed, label, cls, p), 9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is never above the posterior with point estimates (the bounds only take confidence away)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), fc.integer({ min: 5, max: 200 }), (agree, n) => {
        const answers = agree.map((g, i) => ({ annotator: `x${i}`, label: g ? 'yes' : 'no' }));
        const skill = new Map(answers.map((a) => [a.annotator, { correct: Math.floor(0.9 * n), total: n }]));
        const point = new Map(answers.map((a) => [a.annotator, Math.floor(0.9 * n) / n]));
        expect(cautiousPosterior(answers, 'yes', 2, skill, 1)).toBeLessThanOrEqual(bruteForce(answers, 'yes', ['yes', 'no'], point) + 1e-12);
      }),
    );
  });
});
