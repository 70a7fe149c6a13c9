import { timestampMs } from '@bufbuild/protobuf/wkt';
import type { WindowStatistics } from '@labelloop/contracts';
import { html, SafeHtml } from '../views/html';
import { num, percent, when } from '../views/format';
import { table } from '../views/table';

/** A uPlot chart spec, read by assets/console-charts.js from `data-chart`. */
export interface ChartSpec {
  title: string;
  x: number[];
  series: { label: string; values: (number | null)[] }[];
}

/**
 * Chart data from a model's tested windows (newest first, as the RPC returns them): x is each
 * window's test time in seconds, made strictly increasing (uPlot needs it); one series per
 * feature's statistic, and one of the share of features that drifted.
 */
export function windowCharts(modelId: string, windows: WindowStatistics[]): { statistics: ChartSpec; share: ChartSpec; accuracy?: ChartSpec } {
  const oldestFirst = [...windows].reverse();
  const x: number[] = [];
  for (const w of oldestFirst) {
    const t = (w.testedAt ? timestampMs(w.testedAt) : 0) / 1000;
    x.push(x.length > 0 ? Math.max(t, x[x.length - 1] + 0.001) : t);
  }
  // A feature can have several tests (predicted_label: chi2 and new_classes): one series per test.
  const key = (f: { feature: string; method: string }) => `${f.feature} (${f.method})`;
  const tests = [...new Set(oldestFirst.flatMap((w) => w.features.map(key)))].sort();
  const series = tests.map((label) => ({
    label,
    values: oldestFirst.map((w) => w.features.find((f) => key(f) === label)?.statistic ?? null),
  }));
  const estimated = oldestFirst.map((w) => w.estimatedAccuracy ?? null);
  const measured = oldestFirst.map((w) => w.measuredAccuracy ?? null);
  const anyAccuracy = [...estimated, ...measured].some((v) => v !== null);
  return {
    accuracy: anyAccuracy
      ? {
          title: `Accuracy per window, ${modelId}: estimated without labels (CBPE) and measured on labelled predictions`,
          x,
          series: [
            { label: 'estimated (CBPE)', values: estimated },
            { label: 'measured', values: measured },
          ],
        }
      : undefined,
    statistics: { title: `Test statistic per window, ${modelId}`, x, series },
    share: {
      title: `Share of features drifted per window, ${modelId}`,
      x,
      series: [{ label: 'drifted share', values: oldestFirst.map((w) => w.driftedShare) }],
    },
  };
}

/** A chart container: the figure's caption names it for screen readers; the table below gives the figures. */
export function chart(spec: ChartSpec): SafeHtml {
  return html`<figure class="chart"><figcaption>${spec.title}</figcaption><div data-chart="${JSON.stringify(spec)}"></div></figure>`;
}

/** The newest windows as a table (what the charts draw, readable without them). */
export function windowTable(modelId: string, windows: WindowStatistics[], rows = 10): SafeHtml {
  return table(
    `Newest tested windows of ${modelId} (of ${windows.length} kept)`,
    ['Tested at', 'Model version', 'Outcome', 'Drifted share', 'Estimated accuracy', 'Measured accuracy (labelled)', 'Failed tests'],
    windows.slice(0, rows).map((w) => [
      when(w.testedAt),
      w.modelVersion,
      w.outcome,
      { num: num(w.driftedShare, 3) },
      { num: percent(w.estimatedAccuracy), field: 'estimated_accuracy' },
      { num: w.measuredAccuracy === undefined ? '—' : `${percent(w.measuredAccuracy)} (${num(w.labelledPredictions)})`, field: 'measured_accuracy' },
      w.features
        .filter((f) => f.drifted)
        .map((f) => `${f.feature} (${f.method} ${num(f.statistic, 3)})`)
        .join(', ') || 'none',
    ]),
    'no window tested yet.',
  );
}
