/**
 * The main job (`npm run demo`), short: the real SpamAssassin stream drifting from the early to
 * the later groups, the seven services as processes on the real broker and database, the example
 * inference service and training job, and the simulated workforce — run twice with the same
 * seed, entropy sampling then random sampling, each on a fresh database and fresh consumer
 * groups. It checks that the loop closes and the model recovers, and that random sampling
 * needs more labels for it.
 *
 * Short version: 2 400 events at 40/s (drift after 528), a dataset version every 30 accepted
 * labels, simulated annotators 100x faster than real time; the recovery target is the demo's:
 * 1 point below min(pre-drift accuracy, ceiling). About 3–4 minutes on 2 cores for both runs.
 *
 * Why the label comparison counts trained candidates (promoted or not): a 2-point target was
 * tried first, and random sampling's noisy learning curve crossed it early in one run of five
 * (85 labels vs entropy's 120) while it plateaus below the 1-point target (seven runs seen:
 * 96.1–97.5 % vs entropy's 97.4–98.2 %); and the promotion rule, judging on the version's small
 * test split, rejected a candidate at the target in some runs, which is noise about promotion,
 * not about sampling.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '@labelloop/testing';

/** The figures this test reads (see examples/loop-demo/src/figures.ts). */
interface Figures {
  strategy: string;
  completed: boolean;
  problem?: string;
  accuracy: { preDrift: number; afterDrift: number; final: number; target: number; ceiling: number };
  promotions: { version: string; heldOutLater: number; labelsAfterDrift: number }[];
  recovery: { recovered: boolean; labelsAfterDrift: number | null; budgetAfterDrift: number };
  efficiency: { reached: boolean; labelsAfterDrift: number | null };
  labels: { accepted: number; answers: number; answersWithText: number; rawAccuracy: number; acceptedAccuracy: number };
  carelessDetected: boolean;
  drift: { alerts: number; referenceSource: string; windows: number; alertsWithoutWindow: number };
  latency: { onsetToAlertS: number | null; alertToFirstTaskS: number | null; lastLabelToPromoted: { n: number; p50: number | null } };
  reportDir: string;
}
interface Comparison {
  strategy: Figures;
  random: Figures;
  ratio: number | null;
  ratioKind: string;
  reportDir: string;
}

// Examples are applications, which the module-boundary rule keeps tests from importing; the
// main job is loaded by path instead (its TypeScript source, transformed by jest like this file).
const { runComparison } = require(path.join(REPO_ROOT, 'examples/loop-demo/src/compare')) as { runComparison(o: object): Promise<Comparison> };

// One short run per strategy is a noisy sample: in the runs seen, entropy's candidates ended
// 0.1-0.9 points above the 1-point target and random's best 0.1 below to 1.2 below it. A run
// whose comparison misses is repeated once (both strategies, fresh databases and groups), and
// jest reports the first attempt's failure; two misses in a row fail the build.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

describe('main job (short): closed loop on SpamAssassin with drift', () => {
  it('recovers from drift after promoted retrains, and random sampling needs more labels', async () => {
    const c = await runComparison({
      events: 2400,
      eventsPerSecond: 40,
      cutEvery: 30,
      humanSpeedup: 100,
      recoveryGap: 0.01,
      timeoutSeconds: 220,
      resetTopics: false, // a shared broker: fresh consumer groups positioned at the end instead
      runName: `e2e-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`,
      log: (line: string) => process.stdout.write(`${line}\n`),
    });
    const s = c.strategy;
    const r = c.random;
    const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
    process.stdout.write(
      `main job e2e: pre-drift ${pct(s.accuracy.preDrift)}, after drift ${pct(s.accuracy.afterDrift)}, target ${pct(s.accuracy.target)}; ` +
        `${s.strategy}: final ${pct(s.accuracy.final)}, promoted model recovered with ${s.recovery.labelsAfterDrift ?? `>${s.recovery.budgetAfterDrift}`} labels, ` +
        `first candidate at target ${s.efficiency.labelsAfterDrift ?? `>${s.recovery.budgetAfterDrift}`}; ` +
        `random: final ${pct(r.accuracy.final)}, promoted ${r.recovery.labelsAfterDrift ?? `>${r.recovery.budgetAfterDrift}`}, candidate ${r.efficiency.labelsAfterDrift ?? `>${r.recovery.budgetAfterDrift}`}; ` +
        `ratio ${c.ratioKind} ${c.ratio?.toFixed(2)}; report ${c.reportDir}\n`,
    );

    for (const f of [s, r]) {
      expect(f.problem).toBeUndefined();
      expect(f.completed).toBe(true);
      // The loop closed: drift was detected and sampled from, labels passed QA, models were retrained.
      expect(f.latency.onsetToAlertS).not.toBeNull();
      expect(f.latency.alertToFirstTaskS).not.toBeNull();
      expect(f.labels.accepted).toBeGreaterThan(100);
      expect(f.carelessDetected).toBe(true);
      expect(f.labels.acceptedAccuracy).toBeGreaterThan(f.labels.rawAccuracy);
      // Annotators were shown each e-mail (dispatch resolved spamassassin:// through the demo's corpus server), not its URI.
      expect(f.labels.answersWithText).toBe(f.labels.answers);
      // After a promotion, drift detection tests against the promoted model's training data.
      if (f.promotions.length > 0) expect(f.drift.referenceSource).toMatch(/^dataset version \S+ \(split train\)$/);
      // The report's drift chart is drawn from the windows drift detection stored
      // (ListWindowStatistics), each alert on the topic at the window that opened it.
      expect(f.drift.windows).toBeGreaterThan(0);
      expect(f.drift.alerts).toBeGreaterThan(0);
      expect(f.drift.alertsWithoutWindow).toBe(0);
      expect(readFileSync(path.join(f.reportDir, 'drift.svg'), 'utf8')).toContain('alert opened');
    }
    // The model recovers: the last promoted model is at least 3 points above the drifted one
    // on the held-out later groups (seen: 93.2 % after the drift, 96.8–97.5 % after the last promotion).
    expect(s.promotions.length).toBeGreaterThan(0);
    expect(s.latency.lastLabelToPromoted.n).toBeGreaterThan(0);
    expect(s.promotions[s.promotions.length - 1].heldOutLater).toBeGreaterThanOrEqual(s.accuracy.afterDrift + 0.03);
    // Random sampling needs more labels for a model that reaches the target, or gets none there
    // within its budget. Counted on trained candidates (promoted or not): the promotion rule's
    // small test split adds noise that has nothing to do with the sampling strategy.
    expect(s.efficiency.reached).toBe(true);
    if (r.efficiency.reached) expect(r.efficiency.labelsAfterDrift).toBeGreaterThan(s.efficiency.labelsAfterDrift ?? Infinity);
  }, 600_000);
});
