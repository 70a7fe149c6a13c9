/**
 * The report's charts, as SVG strings.
 */
import type { WindowStatistics } from '@labelloop/contracts';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { MainJobFigures } from '../figures';
import { isLater, recordOfUri } from '../scenario';
import type { Served, Tap } from '../tap';
import { hBarChart, lineChart, type Marker, type Rule, type Series } from './svg';

const pctFmt = (v: number) => `${(v * 100).toFixed(0)}%`;
const C = { blue: '#1f77b4', orange: '#ff7f0e', green: '#2ca02c', red: '#d62728', purple: '#9467bd', grey: '#7f7f7f', brown: '#8c564b' };

/** Accuracy over time: served predictions (rolling) and the serving model on the held-out sets. */
export function accuracyOverTime(f: MainJobFigures, tap: Tap, heldOut: (v: string) => { early: number; later: number }): string {
  const served = tap.served;
  const t0 = served[0]?.t ?? 0;
  const t = (ms: number) => Math.round((ms - t0) / 100) / 10;
  // One point per burst (events of a burst share their timestamp): accuracy of the last w served.
  const rolling: [number, number][] = [];
  const w = 200;
  let ok = 0;
  served.forEach((s, i) => {
    ok += s.predicted === recordOfUri(s.uri)?.label ? 1 : 0;
    if (i >= w) ok -= served[i - w].predicted === recordOfUri(served[i - w].uri)?.label ? 1 : 0;
    const lastOfBurst = i === served.length - 1 || served[i + 1].t - s.t > 200;
    if (i >= w - 1 && lastOfBurst) rolling.push([t(s.t), ok / w]);
  });
  const steps = (which: 'early' | 'later'): [number, number][] => [
    [0, heldOut('v1')[which]],
    ...tap.promoted.map((p): [number, number] => [t(p.at), heldOut(p.version)[which]]),
  ];
  const onset = served.find((s) => isLater(s.uri));
  const vRules: Rule[] = [];
  if (onset) vRules.push({ at: t(onset.t), label: 'drift onset', color: C.red });
  const alert = onset ? tap.alerts.find((a) => a.windowEnd >= onset.t) : undefined;
  if (alert) vRules.push({ at: t(alert.at), label: 'drift alert', color: C.orange });
  for (const p of tap.promoted) vRules.push({ at: t(p.at), label: `${p.version} promoted`, color: C.green });
  const end = Math.max(t(served.at(-1)?.t ?? t0), ...tap.promoted.map((p) => t(p.at))) + 2;
  const ys = [...rolling.map((p) => p[1]), f.accuracy.afterDrift, f.accuracy.target];
  const pct1 = (v: number) => `${(v * 100).toFixed(1)}%`;
  return lineChart({
    title: `Accuracy over time (${f.strategy})`,
    xLabel: 'seconds since production traffic started',
    yLabel: 'accuracy',
    yFormat: pctFmt,
    x: [0, end],
    y: [Math.max(0, Math.floor(Math.min(...ys) * 20) / 20), 1],
    series: [
      { name: `served predictions (last ${w})`, color: C.grey, points: rolling },
      { name: 'serving model on held-out later groups', color: C.blue, points: steps('later'), step: true },
      { name: 'serving model on held-out early groups', color: C.purple, points: steps('early'), step: true, dashed: true },
    ],
    hRules: [
      { at: f.accuracy.preDrift, label: `pre-drift ${pct1(f.accuracy.preDrift)}`, color: C.purple },
      { at: f.accuracy.target, label: `recovery target ${pct1(f.accuracy.target)}`, color: C.green },
    ],
    vRules,
  });
}

/** Held-out accuracy of every candidate against the labels spent since the drift, per run. */
export function accuracyOverLabels(runs: { name: string; color: string; f: MainJobFigures }[]): string {
  const series: Series[] = [];
  const markers: Marker[] = [];
  for (const { name, color, f } of runs) {
    const serving: [number, number][] = [[0, f.accuracy.afterDrift], ...f.promotions.map((p): [number, number] => [p.labelsAfterDrift, p.heldOutLater])];
    series.push({ name: `${name}: serving model`, color, points: serving, step: true, dots: true });
    for (const c of f.candidates.filter((x) => !x.promoted)) markers.push({ x: c.labelsAfterDrift, y: c.heldOutLater, color, shape: 'cross' });
    const rec = f.recovery;
    if (rec.labelsAfterDrift !== null && rec.heldOutLater !== null)
      markers.push({ x: rec.labelsAfterDrift, y: rec.heldOutLater, color, label: `${name} recovers: ${rec.labelsAfterDrift}`, shape: 'circle' });
  }
  const f0 = runs[0].f;
  const maxX = Math.max(10, ...runs.map((r) => r.f.recovery.budgetAfterDrift));
  return lineChart({
    title: 'Held-out accuracy (later groups) over labels spent since the drift',
    xLabel: 'accepted labels on post-drift items in the dataset version the model was trained on (× = candidate not promoted)',
    yLabel: 'accuracy',
    yFormat: pctFmt,
    x: [0, maxX],
    y: [Math.floor(Math.min(...runs.map((r) => r.f.accuracy.afterDrift)) * 50) / 50 - 0.01, 1],
    series,
    markers,
    hRules: [
      { at: f0.accuracy.preDrift, label: `pre-drift ${(f0.accuracy.preDrift * 100).toFixed(1)}%`, color: C.purple },
      { at: f0.accuracy.ceiling, label: `ceiling (every later message labelled) ${(f0.accuracy.ceiling * 100).toFixed(1)}%`, color: C.grey },
      { at: f0.accuracy.target, label: `recovery target ${(f0.accuracy.target * 100).toFixed(1)}%`, color: C.green },
    ],
  });
}

/**
 * Drift statistics per window as drift-detection stored them (DriftService.ListWindowStatistics,
 * oldest first): −log10 p of each test that has a p-value, a cross where the service judged the
 * test drifted (after its multiple-testing correction), and the windows that opened or resolved
 * an episode. A window sits at the last served event at or before its end.
 */
export function driftOverTime(windows: readonly WindowStatistics[], served: readonly Served[], tap: Tap): string {
  const lp = (p: number) => Math.min(20, -Math.log10(Math.max(p, 1e-300)));
  // Windows come oldest first, so one pass over the served events places them all.
  let last = 0;
  const xs = windows.map((w) => {
    const end = w.windowEnd ? timestampDate(w.windowEnd).getTime() : NaN;
    while (last + 1 < served.length && served[last + 1].t <= end) last++;
    return last;
  });
  const palette = [C.blue, C.orange, C.brown, C.purple, C.grey, C.green];
  const keys = [...new Set(windows.flatMap((w) => w.features.filter((f) => f.pValue !== undefined).map((f) => `${f.feature} (${f.method})`)))];
  const markers: Marker[] = [];
  const series: Series[] = keys.map((key, k) => {
    const color = palette[k % palette.length];
    // A new model version starts a new reference: break the line there.
    const points = windows.flatMap((w, i): [number, number][] => {
      const f = w.features.find((x) => `${x.feature} (${x.method})` === key);
      if (f?.pValue === undefined) return [[xs[i], NaN]];
      if (f.drifted) markers.push({ x: xs[i], y: lp(f.pValue), color, shape: 'cross' });
      const point: [number, number] = [xs[i], lp(f.pValue)];
      return i > 0 && windows[i - 1].modelVersion !== w.modelVersion ? [[xs[i], NaN], point] : [point];
    });
    return { name: key, color, points, dots: true };
  });
  windows.forEach((w, i) => {
    if (w.outcome === 'opened') markers.push({ x: xs[i], y: 19, color: C.red, shape: 'triangle', label: 'alert opened' });
    if (w.outcome === 'resolved') markers.push({ x: xs[i], y: 0, color: C.green, shape: 'circle', label: 'resolved' });
  });
  const vRules: Rule[] = [];
  const onset = served.findIndex((s) => isLater(s.uri));
  if (onset >= 0) vRules.push({ at: onset, label: 'drift onset', color: C.red });
  for (const p of tap.promoted) {
    const i = served.findIndex((s) => s.version === p.version);
    if (i >= 0) vRules.push({ at: i, label: `${p.version} serving (new reference)`, color: C.green });
  }
  // The service's α and the Bonferroni level of the newest window's p-value tests, as a guide.
  const newest = windows.at(-1)?.features.filter((f) => f.pValue !== undefined) ?? [];
  const alpha = newest[0]?.threshold;
  return lineChart({
    title: 'Drift statistics per window (−log10 p, capped at 20; × = judged drifted) as drift detection stored them',
    xLabel: 'production event index',
    yLabel: '−log10 p-value',
    x: [0, Math.max(served.length, 1)],
    y: [0, 21],
    series,
    hRules: alpha ? [{ at: -Math.log10(alpha / newest.length), label: `α ${alpha} / ${newest.length} tests (newest window)`, color: C.red }] : [],
    vRules,
    markers,
  });
}

/** Annotator accuracy: configured and realised truth next to QA's estimate. */
export function annotatorChart(f: MainJobFigures): string {
  return hBarChart({
    title: 'Annotator accuracy: truth vs QA estimate (Dawid–Skene)',
    xLabel: 'accuracy',
    max: 1,
    format: (v) => `${(v * 100).toFixed(0)}%`,
    rows: f.annotators.map((a) => ({
      label: `${a.name}${a.careless ? ' (careless)' : ''}${a.paused ? ' — PAUSED by QA' : ''}, ${a.answers} answers`,
      values: [
        { name: 'configured', value: a.configured, color: '#c7c7c7' },
        { name: 'actual (answers vs truth)', value: Number.isFinite(a.realized) ? a.realized : null, color: C.blue },
        { name: 'QA estimate', value: a.estimated, color: C.orange },
      ],
    })),
  });
}

/** Stage latencies, p50 and p99. */
export function latencyChart(f: MainJobFigures): string {
  const machine = f.latency.stages.filter((s) => !s.human);
  const max = Math.max(0.5, ...machine.map((s) => s.p99 ?? 0)) * 1.1;
  return hBarChart({
    title: 'Stage latencies (seconds; bars beyond the scale are cut)',
    xLabel: 'seconds',
    max,
    format: (v) => (v >= 10 ? v.toFixed(0) : v.toFixed(2)),
    rows: f.latency.stages.map((s) => ({
      label: `${s.stage}${s.human ? ' (simulated human time)' : ''} [n=${s.n}]`,
      values: [
        { name: 'p50', value: s.p50, color: C.blue },
        { name: 'p99', value: s.p99, color: C.orange },
      ],
    })),
  });
}
