import { Queryable, queryRows } from '@labelloop/persistence';

/** A model's current champion and the metrics it was promoted with. */
export interface ModelChampionRow {
  model_version: string;
  metrics: Record<string, number>;
  slices: Record<string, Record<string, number>>;
}

/** A promoted candidate. */
export interface Promotion {
  modelId: string;
  modelVersion: string;
  stage: string;
  datasetVersionId: string;
  metrics: Record<string, number>;
  slices: Record<string, Record<string, number>>;
}

/** `model_champion`: the promoted version of each model. */
export const modelChampions = {
  /** The model's champion, locked until this transaction ends (promotions of one model never interleave). */
  async lock(q: Queryable, modelId: string): Promise<ModelChampionRow | undefined> {
    const [champ] = await queryRows<ModelChampionRow>(q, 'SELECT model_version, metrics, slices FROM model_champion WHERE model_id = $1 FOR UPDATE', [modelId]);
    return champ;
  },

  /** Makes the candidate the model's champion. */
  async promote(q: Queryable, p: Promotion): Promise<void> {
    await q.query(
      `INSERT INTO model_champion (model_id, model_version, stage, dataset_version_id, metrics, slices) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (model_id) DO UPDATE SET model_version = EXCLUDED.model_version, stage = EXCLUDED.stage, dataset_version_id = EXCLUDED.dataset_version_id,
             metrics = EXCLUDED.metrics, slices = EXCLUDED.slices, promoted_at = now()`,
      [p.modelId, p.modelVersion, p.stage, p.datasetVersionId, p.metrics, p.slices],
    );
  },
};
