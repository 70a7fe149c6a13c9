import { Injectable } from '@nestjs/common';
import { Trigger } from '@labelloop/contracts';
import { num, refusal, when } from '../views/format';
import { html, SafeHtml } from '../views/html';
import { table } from '../views/table';
import { budgetTable } from './budget-table';
import { SectionedPage } from './page';

/** Sampling: each model's policy, its budgets used and left, and its newest decisions (trigger, strategy, score). */
@Injectable()
export class SamplingPage extends SectionedPage {
  readonly path = '/sampling';
  readonly title = 'Sampling';

  protected readonly of = 'CONSOLE_MODELS';

  protected async section(modelId: string, token: string): Promise<SafeHtml> {
    const [policy, budget, decisions] = await Promise.all([
      this.stages.call('sampling', token, (c, o) => c.getSamplingPolicy({ modelId }, o)),
      this.stages.call('sampling', token, (c, o) => c.getSamplingBudget({ modelId }, o)),
      this.stages.call('sampling', token, (c, o) => c.listSamplingDecisions({ modelId, limit: 25 }, o)),
    ]);
    const p = policy.ok ? policy.value.policy : undefined;
    return html`<section data-model="${modelId}"><h2>${modelId}</h2>
${
  policy.ok
    ? table(
        `Sampling policy of ${modelId}`,
        ['Project', 'Strategy', 'Budget per hour', 'Budget per day', 'Budget in total', 'Audit rate'],
        [
          [
            p?.projectId ?? '—',
            p?.strategy ?? '—',
            { num: num(p?.budgetPerHour), field: 'budget_per_hour' },
            { num: num(p?.budgetPerDay) },
            { num: num(p?.budgetTotal) },
            { num: num(p?.auditRate, 3) },
          ],
        ],
      )
    : refusal(policy)
}
${budget.ok ? budgetTable(modelId, budget.value) : refusal(budget)}
${
  decisions.ok
    ? table(
        `Newest sampling decisions of ${modelId}`,
        ['Item', 'Trigger', 'Strategy', 'Score', 'Priority', 'Audit sample', 'Requested at'],
        decisions.value.requests.map((r) => [
          r.itemId,
          Trigger[r.trigger] ?? String(r.trigger),
          r.strategy,
          { num: num(r.score, 3) },
          { num: num(r.priority) },
          r.auditSample ? 'yes' : 'no',
          when(r.requestedAt),
        ]),
        'no decisions yet.',
      )
    : refusal(decisions)
}
</section>`;
  }
}
