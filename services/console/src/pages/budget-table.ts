import { BudgetWindow, type GetSamplingBudgetResponse } from '@labelloop/contracts';
import { num, when } from '../views/format';
import { html, type SafeHtml } from '../views/html';
import { table } from '../views/table';

const WINDOW: Record<BudgetWindow, string> = {
  [BudgetWindow.UNSPECIFIED]: 'unspecified',
  [BudgetWindow.HOUR]: 'hour',
  [BudgetWindow.DAY]: 'day',
  [BudgetWindow.TOTAL]: 'total',
};

/** A window's name as the page shows it (and as its data-field keys spell it). */
export function windowName(w: BudgetWindow): string {
  return WINDOW[w] ?? String(w);
}

/**
 * A model's budgets as GetSamplingBudget returns them: per window, its bounds, used, limit
 * ("unlimited" for 0) and left; each figure carries `data-field="budget_<figure>:<window>"`.
 */
export function budgetTable(modelId: string, b: GetSamplingBudgetResponse): SafeHtml {
  const rows = b.budgets.map((u) => {
    const w = windowName(u.window);
    return [
      w,
      when(u.windowStart),
      when(u.windowEnd),
      { num: num(u.used), field: `budget_used:${w}` },
      { num: u.limit === 0n ? 'unlimited' : num(u.limit), field: `budget_limit:${w}` },
      { num: num(u.left), field: `budget_left:${w}` },
    ];
  });
  return html`${table(`Sampling budget of ${modelId} at ${when(b.asOf)}`, ['Window', 'From', 'Until', 'Used', 'Limit', 'Left'], rows)}
<p>The next batch may take <span data-field="budget_available">${b.available === undefined ? 'any number of' : num(b.available)}</span> requests; audit samples are outside the budget.</p>`;
}
