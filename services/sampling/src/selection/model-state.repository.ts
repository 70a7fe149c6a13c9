import { Injectable } from '@nestjs/common';
import { BudgetTracker, type BudgetTrackerState } from '@labelloop/active-learning';
import { queryRows, type EntityManager, type Queryable } from '@labelloop/persistence';
import type { ResolvedPolicy } from '../policy/policy';
import { emptySignals, ModelSignals } from '../policy/triggers';

/** Embeddings of recent requests kept per model (near-duplicate and diversity checks). */
export const RECENT_EMBEDDINGS = 200;
/** Recent events kept per model for DriftDetected look-ups. */
export const RECENT_EVENTS = 5000;

/** The sampler's per-model state for one transaction. */
export interface ModelState {
  signals: ModelSignals;
  budget: BudgetTracker;
  recentEmbeddings: number[][];
  exists: boolean;
}

/** Loads (locked) and saves the per-model trigger signals, budget usage and recent embeddings. */
@Injectable()
export class ModelStateRepository {
  async load(em: EntityManager, modelId: string, policy: ResolvedPolicy): Promise<ModelState> {
    const limits = { perHour: policy.budget.perHour || undefined, perDay: policy.budget.perDay || undefined, total: policy.budget.total || undefined };
    // Create the row first so the lock below always has something to lock: the prediction and
    // drift-alert consumers of one model run in parallel and must not interleave.
    await em.query(`INSERT INTO sampling_model_state (model_id, signals, budget) VALUES ($1, 'null', 'null') ON CONFLICT DO NOTHING`, [modelId]);
    const [row]: { signals: ModelSignals | null; budget: BudgetTrackerState | null; recent_embeddings: number[][] }[] = await em.query(
      'SELECT signals, budget, recent_embeddings FROM sampling_model_state WHERE model_id = $1 FOR UPDATE',
      [modelId],
    );
    if (!row?.signals || !row.budget) return { signals: emptySignals(), budget: new BudgetTracker(limits), recentEmbeddings: [], exists: false };
    // Usage carries over when the policy's limits change.
    return { signals: row.signals, budget: BudgetTracker.fromJSON({ ...row.budget, limits }), recentEmbeddings: row.recent_embeddings, exists: true };
  }

  /** The stored budget usage of a model, read without a lock (null before its first sampled batch). */
  async budgetOf(q: Queryable, modelId: string): Promise<BudgetTrackerState | null> {
    const [row] = await queryRows<{ budget: BudgetTrackerState | null }>(q, 'SELECT budget FROM sampling_model_state WHERE model_id = $1', [modelId]);
    return row?.budget ?? null;
  }

  async save(em: EntityManager, modelId: string, s: ModelState): Promise<void> {
    await em.query(
      `INSERT INTO sampling_model_state (model_id, signals, budget, recent_embeddings) VALUES ($1, $2, $3, $4)
       ON CONFLICT (model_id) DO UPDATE SET signals = EXCLUDED.signals, budget = EXCLUDED.budget, recent_embeddings = EXCLUDED.recent_embeddings, updated_at = now()`,
      [modelId, JSON.stringify(s.signals), JSON.stringify(s.budget.toJSON()), JSON.stringify(s.recentEmbeddings.slice(-RECENT_EMBEDDINGS))],
    );
  }
}
