import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { BudgetTracker, type BudgetTrackerState } from '@labelloop/active-learning';
import { BudgetWindow, GetSamplingBudgetResponse, GetSamplingBudgetResponseSchema } from '@labelloop/contracts';
import type { ResolvedPolicy } from './policy';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * A model's budgets at `nowMs` as the sampler enforces them: the policy's caps (0 = unlimited)
 * against the usage stored with the model's state (none before its first sampled batch). The
 * windows are BudgetTracker's fixed UTC hour and day.
 */
export function budgetUse(modelId: string, policy: ResolvedPolicy, state: BudgetTrackerState | null, nowMs: number): GetSamplingBudgetResponse {
  const { perHour, perDay, total } = policy.budget;
  const limits = { perHour: perHour || undefined, perDay: perDay || undefined, total: total || undefined };
  // The caps of the current policy, as ModelStateRepository.load applies them to the stored usage.
  const tracker = state ? BudgetTracker.fromJSON({ ...state, limits }) : new BudgetTracker(limits);
  const used = tracker.usage(nowMs);
  const hourStart = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const dayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const cap = (window: BudgetWindow, n: number, limit: number, bounds?: [number, number]) => ({
    window,
    windowStart: bounds && timestampFromMs(bounds[0]),
    windowEnd: bounds && timestampFromMs(bounds[1]),
    used: BigInt(n),
    limit: BigInt(limit),
    left: limit ? BigInt(Math.max(0, limit - n)) : undefined,
  });
  return create(GetSamplingBudgetResponseSchema, {
    modelId,
    projectId: policy.projectId,
    budgets: [
      cap(BudgetWindow.HOUR, used.hour, perHour, [hourStart, hourStart + HOUR_MS]),
      cap(BudgetWindow.DAY, used.day, perDay, [dayStart, dayStart + DAY_MS]),
      cap(BudgetWindow.TOTAL, used.total, total),
    ],
    asOf: timestampFromMs(nowMs),
    available: perHour || perDay || total ? BigInt(tracker.available(nowMs)) : undefined,
  });
}
