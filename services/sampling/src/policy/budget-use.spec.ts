import { create } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { BudgetTracker } from '@labelloop/active-learning';
import { BudgetWindow, SamplingPolicySchema } from '@labelloop/contracts';
import { budgetUse } from './budget-use';
import { resolvePolicy } from './policy';

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 5); // midnight UTC
const defaults = { projectId: 'p', confidenceThreshold: 0.6, auditRate: 0, microBatchSize: 50, strategy: 'least_confidence' as const };
const policy = (budgetPerHour: number, budgetPerDay: number, budgetTotal: bigint) =>
  resolvePolicy(create(SamplingPolicySchema, { budgetPerHour, budgetPerDay, budgetTotal }), defaults);
const rows = (r: ReturnType<typeof budgetUse>) =>
  r.budgets.map((b) => ({
    window: BudgetWindow[b.window],
    start: b.windowStart && timestampMs(b.windowStart),
    end: b.windowEnd && timestampMs(b.windowEnd),
    used: Number(b.used),
    limit: Number(b.limit),
    left: b.left === undefined ? undefined : Number(b.left),
  }));

describe('budgetUse', () => {
  it('reports used, limit and left of the current hour, day and total', () => {
    const t = new BudgetTracker({ perHour: 5, perDay: 8, total: 100 });
    t.tryConsume(5, T0 + 10); // hour 0 full
    t.tryConsume(5, T0 + H + 10); // 3 granted: the day has 8
    const r = budgetUse('m', policy(5, 8, 100n), t.toJSON(), T0 + H + 60_000);
    expect(r.modelId).toBe('m');
    expect(r.projectId).toBe('p');
    expect(rows(r)).toEqual([
      { window: 'HOUR', start: T0 + H, end: T0 + 2 * H, used: 3, limit: 5, left: 2 },
      { window: 'DAY', start: T0, end: T0 + 24 * H, used: 8, limit: 8, left: 0 },
      { window: 'TOTAL', start: undefined, end: undefined, used: 8, limit: 100, left: 92 },
    ]);
    expect(r.available).toBe(0n);
    expect(timestampMs(r.asOf!)).toBe(T0 + H + 60_000);
  });

  it('counts nothing in a later hour and day, and applies the current policy’s caps to the stored use', () => {
    const t = new BudgetTracker({ perHour: 5 });
    t.tryConsume(4, T0 + 10);
    const r = budgetUse('m', policy(3, 0, 10n), t.toJSON(), T0 + 25 * H);
    expect(rows(r).map(({ window, used, limit, left }) => ({ window, used, limit, left }))).toEqual([
      { window: 'HOUR', used: 0, limit: 3, left: 3 },
      { window: 'DAY', used: 0, limit: 0, left: undefined },
      { window: 'TOTAL', used: 4, limit: 10, left: 6 },
    ]);
    expect(r.available).toBe(3n);
  });

  it('is all unlimited and unused for a model never sampled without caps', () => {
    const r = budgetUse('m', policy(0, 0, 0n), null, T0);
    expect(rows(r).map((b) => [b.used, b.limit, b.left])).toEqual([
      [0, 0, undefined],
      [0, 0, undefined],
      [0, 0, undefined],
    ]);
    expect(r.available).toBeUndefined();
  });
});
