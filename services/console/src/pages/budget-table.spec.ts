import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { BudgetWindow, GetSamplingBudgetResponseSchema } from '@labelloop/contracts';
import { budgetTable } from './budget-table';

const T = Date.UTC(2026, 11, 5, 10);

describe('budgetTable', () => {
  it('shows used, limit and left per window, with "unlimited" and a dash for an uncapped one', () => {
    const out = budgetTable(
      'm<1>',
      create(GetSamplingBudgetResponseSchema, {
        modelId: 'm<1>',
        asOf: timestampFromMs(T + 60_000),
        available: 2n,
        budgets: [
          { window: BudgetWindow.HOUR, windowStart: timestampFromMs(T), windowEnd: timestampFromMs(T + 3_600_000), used: 3n, limit: 5n, left: 2n },
          { window: BudgetWindow.TOTAL, used: 9n, limit: 0n },
        ],
      }),
    ).value;
    expect(out).toContain('<caption>Sampling budget of m&lt;1&gt; at 2026-12-05T10:01:00Z</caption>');
    expect(out).toContain(
      '<tr><td>hour</td><td>2026-12-05T10:00:00Z</td><td>2026-12-05T11:00:00Z</td><td class="num" data-field="budget_used:hour">3</td><td class="num" data-field="budget_limit:hour">5</td><td class="num" data-field="budget_left:hour">2</td></tr>',
    );
    expect(out).toContain(
      '<tr><td>total</td><td>—</td><td>—</td><td class="num" data-field="budget_used:total">9</td><td class="num" data-field="budget_limit:total">unlimited</td><td class="num" data-field="budget_left:total">—</td></tr>',
    );
    expect(out).toContain('<span data-field="budget_available">2</span>');
  });
});
