import { Injectable } from '@nestjs/common';
import type { WindowStatistics } from '@labelloop/contracts';
import { num, percent, refusal, when } from '../views/format';
import { html, SafeHtml } from '../views/html';
import { table } from '../views/table';
import { SectionedPage } from './page';
import { chart, windowCharts, windowTable } from './window-charts';

/**
 * Models: drift state per model, the open alert with each test's statistic, the reference in
 * use, and accuracy per window (estimated without labels, measured where labels came).
 */
@Injectable()
export class ModelsPage extends SectionedPage {
  readonly path = '/models';
  readonly title = 'Models';

  protected readonly of = 'CONSOLE_MODELS';

  protected async section(modelId: string, token: string): Promise<SafeHtml> {
    const [a, w] = await Promise.all([
      this.stages.call('drift', token, (c, o) => c.getDriftStatus({ modelId }, o)),
      this.stages.call('drift', token, (c, o) => c.listWindowStatistics({ modelId, limit: 200 }, o)),
    ]);
    if (!a.ok) return html`<section data-model="${modelId}"><h2>${modelId}</h2>${refusal(a)}</section>`;
    const s = a.value;
    const windows = w.ok ? w.value.windows : [];
    const charts = windows.length > 0 ? windowCharts(modelId, windows) : undefined;
    return html`<section data-model="${modelId}">
<h2>${modelId}</h2>
${table(
  `Drift state of ${modelId}`,
  ['State', 'Reference events', 'Reference in use', 'Window events', 'Windows tested'],
  [
    [
      s.drifting ? html`<span class="drifting" data-field="state">drifting</span>` : html`<span class="stable" data-field="state">stable</span>`,
      { num: num(s.referenceSize), field: 'reference_size' },
      html`<span data-field="reference_source">${s.referenceSource || '—'}</span>`,
      { num: num(s.windowSize), field: 'window_size' },
      { num: num(s.windowsTested), field: 'windows_tested' },
    ],
  ],
)}
${w.ok ? accuracy(windows) : ''}
${s.drifting && s.openAlert ? alert(s.modelId, s.openAlert.alertId, windows) : html`<p>No open drift alert.</p>`}
${w.ok ? '' : refusal(w)}
${charts ? html`${charts.accuracy ? chart(charts.accuracy) : ''}${chart(charts.statistics)}${chart(charts.share)}` : ''}
${w.ok ? windowTable(modelId, windows) : ''}
</section>`;
  }
}

/**
 * The newest window's accuracy: CBPE's estimate (calibrated on the version's first labelled
 * predictions) beside the share right among its predictions that came with ground truth.
 */
function accuracy(windows: WindowStatistics[]): SafeHtml {
  const w = windows[0];
  if (!w) return html``;
  const estimated =
    w.estimatedAccuracy === undefined
      ? html`no estimate yet (<span data-field="calibration_predictions">${num(w.calibrationPredictions)}</span> of the 100 labelled predictions it is calibrated on)`
      : html`estimated <strong data-field="estimated_accuracy">${percent(w.estimatedAccuracy)}</strong> (CBPE, calibrated on <span data-field="calibration_predictions">${num(w.calibrationPredictions)}</span> labelled predictions of version ${w.modelVersion})`;
  const measured =
    w.measuredAccuracy === undefined
      ? html`no prediction in it carried ground truth`
      : html`measured <strong data-field="measured_accuracy">${percent(w.measuredAccuracy)}</strong> on its <span data-field="labelled_predictions">${num(w.labelledPredictions)}</span> predictions with ground truth`;
  return html`<p>Accuracy of the newest window: ${estimated}; ${measured}.</p>`;
}

/** The open alert: the window that opened it, with each test's statistic (ListWindowStatistics). */
function alert(modelId: string, alertId: string, windows: WindowStatistics[]): SafeHtml {
  const w = windows.find((x) => x.alertId === alertId && x.outcome === 'opened');
  const head = html`<h3>Open alert <span data-field="alert_id">${alertId}</span></h3>`;
  if (!w) return html`${head}<p>The window that opened it is no longer kept (DRIFT_WINDOW_HISTORY).</p>`;
  const failing = w.features.filter((f) => f.drifted);
  return html`${head}
<p>Opened by the window tested at ${when(w.testedAt)} (events ${when(w.windowStart)} – ${when(w.windowEnd)}), model version ${w.modelVersion}:
<span data-field="drifted_share">${num(w.driftedShare * 100, 1)}</span> % of the tested features drifted (${failing.length} of ${w.features.length}).</p>
${table(
  `Tests of the window that opened the alert on ${modelId}`,
  ['Feature', 'Test', 'Statistic', 'p-value', 'Threshold', 'Result'],
  w.features.map((f) => [
    f.feature,
    f.method,
    { num: num(f.statistic, 4) },
    { num: f.pValue === undefined ? '—' : num(f.pValue, 6) },
    { num: num(f.threshold, 4) },
    f.drifted ? html`<strong>failed</strong>` : 'passed',
  ]),
)}`;
}
