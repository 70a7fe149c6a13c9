import { create } from '@bufbuild/protobuf';
import { SamplingPolicy, SamplingPolicySchema } from '@labelloop/contracts';

/** Selection strategies a policy can name. */
export const STRATEGIES = ['least_confidence', 'margin', 'entropy', 'random', 'class_balance', 'k_center', 'hybrid'] as const;
/** A selection strategy. */
export type Strategy = (typeof STRATEGIES)[number];

/** A model's sampling policy with defaults filled in. */
export interface ResolvedPolicy {
  projectId: string;
  lowConfidence: { enabled: boolean; threshold: number };
  lowMargin: { enabled: boolean; threshold: number };
  /** `needsAccuracyDrop`: spend only on alerts whose estimated accuracy fell, or that have no estimate. */
  drift: { enabled: boolean; samples: number; needsAccuracyDrop: boolean };
  newClass: { enabled: boolean };
  edgeSpike: { enabled: boolean; factor: number };
  performance: { enabled: boolean };
  auditRate: number;
  strategy: Strategy;
  /** 0 = unlimited. */
  budget: { perHour: number; perDay: number; total: number };
  priority: number;
  nearDuplicateThreshold: number;
  microBatchSize: number;
}

/** A policy problem naming the field. */
export class PolicyError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** Service-wide defaults (from the environment). */
export interface PolicyDefaults {
  projectId: string;
  confidenceThreshold: number;
  auditRate: number;
  microBatchSize: number;
  strategy: Strategy;
}

const unit = (field: string, v: number) => {
  if (!(v >= 0 && v <= 1)) throw new PolicyError(field, `must be in [0, 1], got ${v}`);
  return v;
};

const within = (field: string, v: number, lo: number, hi: number) => {
  if (!(v >= lo && v <= hi)) throw new PolicyError(field, `must be in [${lo}, ${hi}], got ${v}`);
  return v;
};

/** Fills defaults and validates a stored or submitted policy. */
export function resolvePolicy(p: SamplingPolicy | undefined, d: PolicyDefaults): ResolvedPolicy {
  const x = p ?? create(SamplingPolicySchema, {});
  const strategy = (x.strategy ?? d.strategy) as Strategy;
  if (!STRATEGIES.includes(strategy)) throw new PolicyError('strategy', `must be one of ${STRATEGIES.join(', ')}`);
  if (x.projectId !== undefined && !x.projectId) throw new PolicyError('project_id', 'must not be empty');
  return {
    projectId: x.projectId ?? d.projectId,
    lowConfidence: { enabled: x.lowConfidenceEnabled ?? true, threshold: unit('confidence_threshold', x.confidenceThreshold ?? d.confidenceThreshold) },
    lowMargin: { enabled: x.lowMarginEnabled ?? false, threshold: unit('margin_threshold', x.marginThreshold ?? 0.1) },
    drift: {
      enabled: x.driftEnabled ?? true,
      samples: within('drift_samples', x.driftSamples ?? 20, 1, 1000),
      needsAccuracyDrop: x.driftNeedsAccuracyDrop ?? false,
    },
    newClass: { enabled: x.newClassEnabled ?? true },
    edgeSpike: { enabled: x.edgeSpikeEnabled ?? true, factor: within('edge_spike_factor', x.edgeSpikeFactor ?? 2, 1.01, 100) },
    performance: { enabled: x.performanceEnabled ?? true },
    auditRate: unit('audit_rate', x.auditRate ?? d.auditRate),
    strategy,
    budget: { perHour: x.budgetPerHour ?? 0, perDay: x.budgetPerDay ?? 0, total: Number(x.budgetTotal ?? 0n) },
    priority: within('priority', x.priority ?? 0, -1000, 1000),
    nearDuplicateThreshold: unit('near_duplicate_threshold', x.nearDuplicateThreshold ?? 0.98),
    microBatchSize: within('micro_batch_size', x.microBatchSize ?? d.microBatchSize, 1, 10_000),
  };
}

/** The resolved policy as returned by the API. */
export function policyToProto(modelId: string, r: ResolvedPolicy): SamplingPolicy {
  return create(SamplingPolicySchema, {
    modelId,
    projectId: r.projectId,
    lowConfidenceEnabled: r.lowConfidence.enabled,
    confidenceThreshold: r.lowConfidence.threshold,
    lowMarginEnabled: r.lowMargin.enabled,
    marginThreshold: r.lowMargin.threshold,
    driftEnabled: r.drift.enabled,
    driftSamples: r.drift.samples,
    driftNeedsAccuracyDrop: r.drift.needsAccuracyDrop,
    newClassEnabled: r.newClass.enabled,
    edgeSpikeEnabled: r.edgeSpike.enabled,
    edgeSpikeFactor: r.edgeSpike.factor,
    performanceEnabled: r.performance.enabled,
    auditRate: r.auditRate,
    strategy: r.strategy,
    budgetPerHour: r.budget.perHour,
    budgetPerDay: r.budget.perDay,
    budgetTotal: BigInt(r.budget.total),
    priority: r.priority,
    nearDuplicateThreshold: r.nearDuplicateThreshold,
    microBatchSize: r.microBatchSize,
  });
}
