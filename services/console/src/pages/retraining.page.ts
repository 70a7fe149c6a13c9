import { Injectable } from '@nestjs/common';
import { num, refusal, when } from '../views/format';
import { html, SafeHtml } from '../views/html';
import { table } from '../views/table';
import { SectionedPage } from './page';

/** Retraining: each model's runs and promotion decisions with the rule's reasons and metrics. */
@Injectable()
export class RetrainingPage extends SectionedPage {
  readonly path = '/retraining';
  readonly title = 'Retraining';

  protected readonly of = 'CONSOLE_MODELS';

  protected async section(modelId: string, token: string): Promise<SafeHtml> {
    const [runs, decisions] = await Promise.all([
      this.stages.call('retrain', token, (c, o) => c.listRuns({ modelId }, o)),
      this.stages.call('retrain', token, (c, o) => c.listPromotionDecisions({ modelId }, o)),
    ]);
    const metrics = (m: Record<string, number>) =>
      Object.entries(m)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(', ') || '—';
    return html`<section data-model="${modelId}"><h2>${modelId}</h2>
${
  runs.ok
    ? table(
        `Training runs of ${modelId}`,
        ['Run', 'Dataset version', 'State', 'Launcher', 'Attempts', 'Last error', 'Requested at'],
        runs.value.runs.map((r) => [
          r.runId,
          r.datasetVersionId.slice(0, 12),
          r.state,
          r.launcher,
          { num: num(r.attempts) },
          r.lastError || '—',
          when(r.requestedAt),
        ]),
        'no runs yet.',
      )
    : refusal(runs)
}
${
  decisions.ok
    ? table(
        `Promotion decisions of ${modelId}`,
        ['Candidate', 'Champion', 'Promoted', 'Reasons', 'Candidate metrics', 'Champion metrics', 'Decided at'],
        decisions.value.decisions.map((d) => [
          d.candidateVersion,
          d.championVersion || '—',
          d.promoted ? 'promoted' : 'not promoted',
          html`<ul>${d.reasons.map((r) => html`<li>${r}</li>`)}</ul>`,
          metrics(d.candidateMetrics),
          metrics(d.championMetrics),
          when(d.decidedAt),
        ]),
        'no decisions yet.',
      )
    : refusal(decisions)
}</section>`;
  }
}
