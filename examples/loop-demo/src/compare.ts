/**
 * Benchmark mode (`--compare-random`): the same scenario and seed twice — the configured
 * strategy, then random sampling — each on a fresh database and fresh consumer groups, and the
 * ratio of the labels each needed to recover.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { MainJobFigures } from './figures';
import { runMainJob } from './main-job';
import { defaultOptions, type MainJobOptions } from './options';
import { accuracyOverLabels } from './report/charts';
import { efficiencyText, headline, pct, recoveryText } from './report/run-report';

/** Both runs and the label ratio. */
export interface ComparisonFigures {
  strategy: MainJobFigures;
  random: MainJobFigures;
  /**
   * Post-drift labels the first trained candidate at the target needed (`efficiency`: the
   * sampling strategy's label cost, independent of the promotion rule's noisy test split),
   * strategy / random; a bound when no random-sampling candidate got there.
   */
  ratio: number | null;
  ratioKind: 'exact' | 'at most' | 'unknown';
  reportDir: string;
}

/** Runs the strategy and random sampling on the same seed and compares them. */
export async function runComparison(partial: Partial<MainJobOptions> = {}): Promise<ComparisonFigures> {
  const o: MainJobOptions = { ...defaultOptions(), ...partial };
  const name = o.runName ?? `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${o.strategy}-vs-random-seed${o.seed}`;
  const dir = path.join(o.reportRoot, name);
  mkdirSync(dir, { recursive: true });
  const a = await runMainJob({ ...o, reportRoot: dir, runName: o.strategy });
  const b = await runMainJob({ ...o, strategy: 'random', reportRoot: dir, runName: 'random' });
  const ra = a.efficiency.labelsAfterDrift;
  const rb = b.efficiency.labelsAfterDrift;
  const { ratio, ratioKind } =
    ra === null
      ? { ratio: null, ratioKind: 'unknown' as const }
      : rb !== null
        ? { ratio: ra / Math.max(rb, 1), ratioKind: 'exact' as const }
        : { ratio: ra / Math.max(b.recovery.budgetAfterDrift, 1), ratioKind: 'at most' as const };
  const result: ComparisonFigures = { strategy: a, random: b, ratio, ratioKind, reportDir: dir };
  writeFileSync(
    path.join(dir, 'accuracy-over-labels.svg'),
    accuracyOverLabels([
      { name: a.strategy, color: '#1f77b4', f: a },
      { name: 'random', color: '#d62728', f: b },
    ]),
  );
  writeFileSync(path.join(dir, 'figures.json'), JSON.stringify(result, null, 2));
  writeFileSync(path.join(dir, 'summary.md'), comparisonSummary(result));
  return result;
}

/** The ratio as a sentence. */
export function ratioText(c: ComparisonFigures): string {
  if (c.ratio === null) return `n/a: no ${c.strategy.strategy} candidate reached the target within its budget`;
  return c.ratioKind === 'exact'
    ? `${c.ratio.toFixed(2)}`
    : `≤ ${c.ratio.toFixed(2)} (no random-sampling candidate reached the target within its ${c.random.recovery.budgetAfterDrift} post-drift labels)`;
}

function comparisonSummary(c: ComparisonFigures): string {
  const s = c.strategy;
  const r = c.random;
  return `# Main job benchmark: ${s.strategy} vs random sampling (seed ${s.seed})

Two runs of the same scenario with the same seed, each on a fresh database and fresh consumer groups;
only the sampling strategy differs (every prediction is a candidate; the strategy picks the same number per burst).

- labels a trained model needed to reach the target with **${s.strategy}**: ${efficiencyText(s)}
- labels a trained model needed to reach the target with **random**: ${efficiencyText(r)}
- ratio ${s.strategy} / random: **${ratioText(c)}**
- labels until a *promoted* (serving) model reached the target: ${s.strategy} ${recoveryText(s)}; random ${recoveryText(r)}
  (the promotion rule compares candidate and champion on the version's small test split, so it
  sometimes rejects a candidate that is better on the held-out set; the ratio above leaves that noise out)
- recovery target ${pct(s.accuracy.target, 2)}; accuracy right after the drift ${pct(s.accuracy.afterDrift, 2)}; final: ${s.strategy} ${pct(s.accuracy.final, 2)}, random ${pct(r.accuracy.final, 2)}
- run time: ${s.strategy} ${s.seconds.toFixed(0)} s, random ${r.seconds.toFixed(0)} s

![accuracy over labels](accuracy-over-labels.svg)

## ${s.strategy} ([full report](${s.strategy}/summary.md))

${headline(s)
  .map((l) => `- ${l}`)
  .join('\n')}

## random ([full report](random/summary.md))

${headline(r)
  .map((l) => `- ${l}`)
  .join('\n')}
`;
}
