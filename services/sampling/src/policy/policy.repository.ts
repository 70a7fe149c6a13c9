import { Inject, Injectable } from '@nestjs/common';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { SamplingPolicy, SamplingPolicySchema } from '@labelloop/contracts';
import { EntityManager, TtlCache } from '@labelloop/persistence';
import { CONFIG } from '@labelloop/runtime';
import type { SamplingConfig } from '../sampling.config';
import { PolicyDefaults, resolvePolicy, ResolvedPolicy } from './policy';

/**
 * Policies per model, stored in PostgreSQL. Resolved policies are cached for a few seconds:
 * a change made through the API reaches every replica within that time.
 */
@Injectable()
export class PolicyRepository {
  private readonly cache = new TtlCache<ResolvedPolicy>();
  readonly defaults: PolicyDefaults;

  constructor(@Inject(CONFIG) config: SamplingConfig) {
    this.defaults = {
      projectId: config.SAMPLING_PROJECT_ID,
      confidenceThreshold: config.SAMPLING_CONFIDENCE_THRESHOLD,
      auditRate: config.SAMPLING_AUDIT_RATE,
      microBatchSize: config.SAMPLING_MICRO_BATCH,
      strategy: config.SAMPLING_STRATEGY,
    };
  }

  async get(em: EntityManager, modelId: string): Promise<ResolvedPolicy> {
    return this.cache.get(modelId, async () => {
      const [row]: { policy: Buffer }[] = await em.query('SELECT policy FROM sampling_policy WHERE model_id = $1', [modelId]);
      return resolvePolicy(row ? fromBinary(SamplingPolicySchema, row.policy) : undefined, this.defaults);
    });
  }

  async put(em: EntityManager, p: SamplingPolicy): Promise<ResolvedPolicy> {
    const resolved = resolvePolicy(p, this.defaults);
    await em.query(
      `INSERT INTO sampling_policy (model_id, policy) VALUES ($1, $2) ON CONFLICT (model_id) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()`,
      [p.modelId, Buffer.from(toBinary(SamplingPolicySchema, p))],
    );
    this.cache.delete(p.modelId);
    return resolved;
  }
}
