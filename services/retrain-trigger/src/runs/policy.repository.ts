import { Inject, Injectable } from '@nestjs/common';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { RetrainPolicy, RetrainPolicySchema } from '@labelloop/contracts';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG } from '@labelloop/runtime';
import type { RetrainConfig } from '../retrain.config';
import type { PromotionRules } from '../promotion/decide';

/** A model's retrain policy with defaults filled in. */
export interface ResolvedRetrainPolicy extends PromotionRules {
  minNewLabels: number;
  minIntervalSeconds: number;
  /** 0 = drift never forces a run. */
  forceOnDriftSeverity: number;
  requiredClasses: string[];
  minItemsPerClass: number;
  stage: string;
  runTimeoutSeconds: number;
}

/** Invalid policy, naming the field. */
export class RetrainPolicyError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** Reads, validates and stores retrain policies (defaults from the environment). */
@Injectable()
export class PolicyRepository {
  constructor(@Inject(CONFIG) private readonly config: RetrainConfig) {}

  resolve(p: RetrainPolicy | undefined): ResolvedRetrainPolicy {
    const x = p ?? create(RetrainPolicySchema, {});
    const nonNeg = (field: string, v: number) => {
      if (!(v >= 0 && Number.isFinite(v))) throw new RetrainPolicyError(field, `must be a non-negative number, got ${v}`);
      return v;
    };
    for (const g of x.guards) {
      if (!g.metric) throw new RetrainPolicyError('guards.metric', 'is required');
      nonNeg(`guards[${g.metric}].max_regression`, g.maxRegression);
    }
    for (const [cls, v] of Object.entries(x.classFloors))
      if (!(v >= 0 && v <= 1)) throw new RetrainPolicyError(`class_floors.${cls}`, `must be in [0, 1], got ${v}`);
    const severity = x.forceOnDriftSeverity ?? 3;
    if (severity > 3) throw new RetrainPolicyError('force_on_drift_severity', 'must be 0 (never) or 1..3');
    return {
      minNewLabels: nonNeg('min_new_labels', Number(x.minNewLabels ?? BigInt(this.config.RETRAIN_MIN_NEW_LABELS))),
      minIntervalSeconds: nonNeg('min_interval_seconds', x.minIntervalSeconds ?? 0),
      forceOnDriftSeverity: severity,
      requiredClasses: x.requiredClasses,
      minItemsPerClass: nonNeg('min_items_per_class', Number(x.minItemsPerClass ?? 1n)),
      primaryMetric: x.primaryMetric || 'accuracy',
      minImprovement: nonNeg('min_improvement', x.minImprovement ?? 0.005),
      guards: x.guards.map((g) => ({ metric: g.metric, maxRegression: g.maxRegression })),
      classFloors: x.classFloors,
      stage: x.stage || 'production',
      runTimeoutSeconds: nonNeg('run_timeout_seconds', x.runTimeoutSeconds ?? this.config.RETRAIN_RUN_TIMEOUT_SECONDS),
    };
  }

  async get(em: EntityManager, modelId: string): Promise<{ stored?: RetrainPolicy; resolved: ResolvedRetrainPolicy }> {
    const [row]: { policy: Buffer }[] = await em.query('SELECT policy FROM retrain_policy WHERE model_id = $1', [modelId]);
    const stored = row ? fromBinary(RetrainPolicySchema, row.policy) : undefined;
    return { stored, resolved: this.resolve(stored) };
  }

  async put(em: EntityManager, policy: RetrainPolicy): Promise<ResolvedRetrainPolicy> {
    const resolved = this.resolve(policy);
    await em.query(
      `INSERT INTO retrain_policy (model_id, policy) VALUES ($1, $2) ON CONFLICT (model_id) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()`,
      [policy.modelId, Buffer.from(toBinary(RetrainPolicySchema, policy))],
    );
    return resolved;
  }
}
