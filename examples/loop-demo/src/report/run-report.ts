/**
 * The report folder of one run: summary.md, the SVG charts and figures.json, and the same
 * headline figures as text for the terminal.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { WindowStatistics } from '@labelloop/contracts';
import type { Evaluator } from '../evaluation';
import type { MainJobFigures, Quantiles } from '../figures';
import type { Scenario } from '../scenario';
import { driftWindowing } from '../stack';
import type { Tap } from '../tap';
import { accuracyOverLabels, accuracyOverTime, annotatorChart, driftOverTime, latencyChart } from './charts';

export const pct = (v: number | null | undefined, d = 1): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(d)}%`);
export const secs = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(2)} s`);
export const q = (x: Quantiles): string =>
  x.n === 0 ? 'n/a (none)' : x.n === 1 ? `${secs(x.p50)} (one)` : `p50 ${secs(x.p50)}, p99 ${secs(x.p99)} (n=${x.n})`;

/** The labels-to-recover figure as a sentence. */
export function recoveryText(f: MainJobFigures): string {
  return f.recovery.recovered
    ? `${f.recovery.labelsAfterDrift} post-drift labels (${f.recovery.labels} in all) — ${f.recovery.version} reached ${pct(f.recovery.heldOutLater, 2)}`
    : `not recovered within its budget of ${f.recovery.budgetAfterDrift} post-drift labels (best serving model ${pct(Math.max(f.accuracy.afterDrift, ...f.promotions.map((p) => p.heldOutLater)), 2)})`;
}

/** The label-efficiency figure (first trained candidate at the target, promoted or not) as a sentence. */
export function efficiencyText(f: MainJobFigures): string {
  return f.efficiency.reached
    ? `${f.efficiency.labelsAfterDrift} post-drift labels — candidate ${f.efficiency.version} reached ${pct(f.efficiency.heldOutLater, 2)}`
    : `target not reached by any candidate within ${f.recovery.budgetAfterDrift} post-drift labels`;
}

/** The headline figures, one per line. */
export function headline(f: MainJobFigures): string[] {
  const lines = [
    `accuracy before the drift: ${pct(f.accuracy.preDrift, 2)} (v1 on the early held-out set; served ${pct(f.accuracy.preDriftStream, 2)})`,
    `accuracy right after the drift: ${pct(f.accuracy.afterDrift, 2)} (v1 on the later held-out set; served ${pct(f.accuracy.afterDriftStream, 2)})`,
    ...f.promotions.map(
      (p) =>
        `accuracy after promoting ${p.version} (dataset version ${p.datasetVersion}, ${p.labelsAfterDrift} post-drift labels): ${pct(p.heldOutLater, 2)} held-out later groups; served ${pct(p.streamAccuracy, 2)} over ${p.streamEvents} events`,
    ),
    ...(f.promotions.length ? [] : ['no retrained model was promoted']),
    `recovery target: ${pct(f.accuracy.target, 2)} = min(pre-drift ${pct(f.accuracy.preDrift, 2)}, ceiling ${pct(f.accuracy.ceiling, 2)}) − ${(f.accuracy.gap * 100).toFixed(1)} point(s)`,
    `labels spent to recover (${f.strategy}): ${recoveryText(f)}`,
    `labels a trained model needed to reach the target, promoted or not (${f.strategy}): ${efficiencyText(f)}`,
    `label accuracy: accepted after QA ${pct(f.labels.acceptedAccuracy, 2)} (${f.labels.accepted} labels) vs raw workforce ${pct(f.labels.rawAccuracy, 2)} (${f.labels.answers} answers)`,
    `answers per accepted label: ${f.labels.humanAnswersPerLabel.toFixed(2)} from people (${f.labels.answers} human answers for ${f.labels.accepted} labels); machine answers: ${f.labels.machineAnswers}`,
    `drift after recovery: ${f.drift.alertsAfterRecovery === null ? 'no promotion recovered' : `${f.drift.alertsAfterRecovery} alert(s) opened after the recovering promotion`}; state at the end: ${f.drift.driftingAtEnd ? 'DRIFTING' : 'stable'} (reference: ${f.drift.referenceSource || 'none'})`,
    `careless annotator ${f.annotators
      .filter((a) => a.careless)
      .map((a) => a.name)
      .join(
        ', ',
      )}: ${f.carelessDetected ? 'DETECTED and paused by QA' : 'not detected'}${f.wronglyPaused.length ? `; careful annotators paused too: ${f.wronglyPaused.join(', ')}` : ''}`,
    `latency drift onset → alert: ${secs(f.latency.onsetToAlertS)} (mostly filling the drift window; window closed → alert ${secs(f.latency.windowToAlertS)}); alert → first task available: ${secs(f.latency.alertToFirstTaskS)}; onset → first task: ${secs(f.latency.onsetToAlertS === null || f.latency.alertToFirstTaskS === null ? null : f.latency.onsetToAlertS + f.latency.alertToFirstTaskS)}`,
    `latency last accepted label → model promoted: ${q(f.latency.lastLabelToPromoted)}`,
  ];
  return lines;
}

/**
 * Writes summary.md, the charts and figures.json for one run. `windows`: drift detection's
 * stored per-window statistics (ListWindowStatistics), oldest first.
 */
export function writeRunReport(
  dir: string,
  f: MainJobFigures,
  ctx: { tap: Tap; scenario: Scenario; evaluator: Evaluator; windows: readonly WindowStatistics[] },
): void {
  const { referenceSize, windowSize } = driftWindowing(ctx.scenario.driftAt);
  const held = (v: string) => ctx.evaluator.version(v);
  writeFileSync(path.join(dir, 'accuracy-over-time.svg'), accuracyOverTime(f, ctx.tap, held));
  writeFileSync(path.join(dir, 'accuracy-over-labels.svg'), accuracyOverLabels([{ name: f.strategy, color: '#1f77b4', f }]));
  writeFileSync(path.join(dir, 'drift.svg'), driftOverTime(ctx.windows, ctx.tap.served, ctx.tap));
  writeFileSync(path.join(dir, 'annotators.svg'), annotatorChart(f));
  writeFileSync(path.join(dir, 'latency.svg'), latencyChart(f));
  writeFileSync(path.join(dir, 'figures.json'), JSON.stringify(f, null, 2));
  writeFileSync(path.join(dir, 'summary.md'), summary(f, referenceSize, windowSize));
}

function summary(f: MainJobFigures, referenceSize: number, windowSize: number): string {
  const row = (...cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return `# Main job run ${f.run}

Strategy **${f.strategy}**, seed ${f.seed}; ${f.events.served} of ${f.events.total} production events served, drift after event ${f.events.driftAt};
${f.completed ? 'the loop settled' : `**incomplete: ${f.problem}**`} after ${f.seconds.toFixed(0)} s.

## Headline figures

${headline(f)
  .map((l) => `- ${l}`)
  .join('\n')}

Accuracy is measured on fixed held-out sets: 600 early-group messages (20 % of easy-ham-1 and spam-1) and
914 later-group messages (30 % of easy-ham-2, spam-2 and hard-ham-1); neither is ever served or labelled.
"Served" accuracy is the share of the predictions the inference service actually served that were right.
The ceiling is the same recipe trained with every later-stream message of this run labelled, 70 % of
them used for training as the registry's split does: the later groups are harder (hard-ham-1), so the
target is capped there. "Post-drift labels" are accepted labels on
messages served after the drift onset, counted in the dataset version the model was trained on; an
accepted label took ${f.labels.humanAnswersPerLabel.toFixed(2)} answers from people on average (dispatch's overlap, plus the
extra answers adaptive overlap asked for and those of items QA sent back).

![accuracy over time](accuracy-over-time.svg)

![accuracy over labels](accuracy-over-labels.svg)

## Retraining

Each approved dataset version launched the training job; the candidate and the serving champion were
evaluated on the version's test split (its hashed share plus every audit sample), and the retrain policy
promoted the candidate only when its accuracy there beat the champion's by the policy's margin. That
split grows with every version and still holds the items the champion won its own promotion on, so a
champion that won partly by luck keeps that edge: a candidate that is better on the larger held-out set
(last column) can still be rejected.

${row('candidate', 'dataset version', 'labels (post-drift)', 'test split items', 'test accuracy vs champion', 'held-out later', 'decision')}
${row('---', '---', '---', '---', '---', '---', '---')}
${f.candidates.map((c) => row(c.version, c.datasetVersion, `${c.labels} (${c.labelsAfterDrift})`, c.testItems, `${pct(c.testAccuracy)} vs ${pct(c.championTestAccuracy)} (${c.championVersion})`, pct(c.heldOutLater, 2), c.promoted ? '**promoted**' : `rejected: ${c.reasons[0] ?? ''}`)).join('\n')}

## Drift

${f.drift.alerts} alert(s) (${f.drift.falseAlarmsBeforeOnset} before the onset), ${f.drift.resolved} resolved by clean windows; a promotion also closes
the episode and starts a new reference: the promoted model's training split (up to ${referenceSize} items), the first ${referenceSize}
events of the first version. Tumbling windows of ${windowSize}. Reference at the end of the run: ${f.drift.referenceSource || 'unknown'}.
The chart shows each tested window's statistics as drift detection stored them (\`ListWindowStatistics\`: ${f.drift.windows} window(s); the service
keeps the last \`DRIFT_WINDOW_HISTORY\` of a model, 500 by default).

![drift statistics](drift.svg)

## Labels and annotators

${row('annotator', 'configured accuracy', 'actual accuracy', 'QA estimate', 'answers', 'paused')}
${row('---', '---', '---', '---', '---', '---')}
${f.annotators.map((a) => row(`${a.name}${a.careless ? ' (careless)' : ''}`, pct(a.configured, 0), pct(a.realized), pct(a.estimated), a.answers, a.paused ? 'yes' : 'no')).join('\n')}

${f.labels.requests} annotation requests, ${f.labels.answers} answers (${f.labels.answersWithText} with the e-mail's text shown), ${f.labels.accepted} accepted labels (${f.labels.acceptedAfterDrift} on post-drift messages).

![annotators](annotators.svg)

## Latency

${row('stage', 'p50', 'p99', 'n')}
${row('---', '---', '---', '---')}
${f.latency.stages.map((s) => row(`${s.stage}${s.human ? ' (simulated human time)' : ''}`, secs(s.p50), secs(s.p99), s.n)).join('\n')}

![latency](latency.svg)
`;
}
