import { Injectable } from '@nestjs/common';
import { Severity, type GetDriftStatusResponse } from '@labelloop/contracts';
import { refusal, missingRpc, num, when } from '../views/format';
import { html, SafeHtml } from '../views/html';
import { table } from '../views/table';
import { SectionedPage } from './page';

/** Models: drift state per model, the open alert with each test's statistic, the reference in use. */
@Injectable()
export class ModelsPage extends SectionedPage {
  readonly path = '/models';
  readonly title = 'Models';

  protected readonly of = 'CONSOLE_MODELS';
  protected override readonly note = missingRpc('estimated vs measured accuracy per model', 'drift-detection');

  protected async section(modelId: string, token: string): Promise<SafeHtml> {
    const a = await this.stages.call('drift', token, (c, o) => c.getDriftStatus({ modelId }, o));
    if (!a.ok) return html`<section data-model="${modelId}"><h2>${modelId}</h2>${refusal(a)}</section>`;
    const s = a.value;
    return html`<section data-model="${modelId}">
<h2>${modelId}</h2>
${table(`Drift state of ${modelId}`, ['State', 'Reference events', 'Reference in use', 'Window events', 'Windows tested'], [
  [
    s.drifting ? html`<span class="drifting" data-field="state">drifting</span>` : html`<span class="stable" data-field="state">stable</span>`,
    { num: num(s.referenceSize), field: 'reference_size' },
    html`<span data-field="reference_source">${s.referenceSource || '—'}</span>`,
    { num: num(s.windowSize), field: 'window_size' },
    { num: num(s.windowsTested), field: 'windows_tested' },
  ],
])}
${s.drifting && s.openAlert ? alert(s) : html`<p>No open drift alert.</p>`}
</section>`;
  }
}

function alert(s: GetDriftStatusResponse): SafeHtml {
  const al = s.openAlert;
  if (!al) return html``;
  if (al.features.length === 0) return html`<h3>Open alert <span data-field="alert_id">${al.alertId}</span></h3>`;
  const failing = al.features.filter((f) => f.drifted);
  return html`<h3>Open alert <span data-field="alert_id">${al.alertId}</span></h3>
<p>Severity <strong data-field="severity">${Severity[al.severity] ?? al.severity}</strong>, model version ${al.modelVersion}, window ${when(al.windowStart)} – ${when(al.windowEnd)},
<span data-field="drifted_share">${num(al.driftedShare * 100, 1)}</span> % of the tested features drifted (${failing.length} of ${al.features.length}).</p>
${table(
  `Tests of the drifted window of ${s.modelId}`,
  ['Feature', 'Test', 'Statistic', 'p-value', 'Threshold', 'Failed'],
  al.features.map((f) => [f.feature, f.method, { num: num(f.statistic, 4) }, { num: f.pValue === undefined ? '—' : num(f.pValue, 6) }, { num: num(f.threshold, 4) }, f.drifted ? html`<strong>failed</strong>` : 'passed']),
)}`;
}
