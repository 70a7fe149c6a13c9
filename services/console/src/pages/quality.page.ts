import { Injectable } from '@nestjs/common';
import { num, refusal } from '../views/format';
import { html, SafeHtml } from '../views/html';
import { table } from '../views/table';
import { SectionedPage } from './page';
import { agreementChart, agreementTable, batchTable } from './quality-charts';
import { chart } from './window-charts';

/**
 * Quality: each project's QA policy in force, the figures QA's scorecards add up to, agreement
 * over time and the batch gate's verdicts.
 */
@Injectable()
export class QualityPage extends SectionedPage {
  readonly path = '/quality';
  readonly title = 'Quality';

  protected readonly of = 'CONSOLE_PROJECTS';

  protected async section(projectId: string, token: string): Promise<SafeHtml> {
    const [policy, cards, history] = await Promise.all([
      this.stages.call('qa', token, (c, o) => c.getQaPolicy({ projectId }, o)),
      this.stages.call('qa', token, (c, o) => c.listAnnotatorScorecards({ projectId }, o)),
      this.stages.call('qa', token, (c, o) => c.getQualityHistory({ projectId, bucketLimit: 200, batchLimit: 20 }, o)),
    ]);
    let summary: SafeHtml;
    if (cards.ok) {
      const s = cards.value.scorecards;
      const answers = s.reduce((n, c) => n + c.answers, 0);
      const agreement = answers > 0 ? s.reduce((n, c) => n + c.agreement * c.answers, 0) / answers : undefined;
      summary = table(
        `Quality figures of ${projectId}`,
        ['Annotators', 'Answers', 'Agreement (answer-weighted)', 'Rework', 'Paused'],
        [
          [
            { num: num(s.length), field: 'annotators' },
            { num: num(answers), field: 'answers' },
            { num: num(agreement, 3) },
            { num: num(s.reduce((n, c) => n + c.rework, 0)) },
            { num: num(s.filter((c) => c.paused).length) },
          ],
        ],
      );
    } else summary = refusal(cards);
    const p = policy.ok ? policy.value.policy : undefined;
    return html`<section data-project="${projectId}"><h2>${projectId}</h2>${summary}
${
  policy.ok
    ? table(
        `QA policy of ${projectId}`,
        ['Version', 'Method', 'Min confidence', 'Annotator floor', 'Batch size', 'Min batch kappa', 'Min batch gold accuracy'],
        [
          [
            { num: policy.value.version === 0 ? 'defaults' : num(policy.value.version) },
            p?.method ?? '—',
            { num: num(p?.minConfidence, 2) },
            { num: num(p?.annotatorFloor, 2) },
            { num: num(p?.batchSize) },
            { num: num(p?.minBatchKappa, 2) },
            { num: num(p?.minBatchGoldAccuracy, 2) },
          ],
        ],
      )
    : refusal(policy)
}
${
  history.ok
    ? html`${history.value.buckets.length > 0 ? chart(agreementChart(projectId, history.value.buckets)) : ''}
${agreementTable(projectId, history.value.buckets)}
${batchTable(projectId, history.value.batches)}`
    : refusal(history)
}</section>`;
  }
}
