import { EntityManager, queryRows } from '@labelloop/persistence';

/** A `model_training` row: a model version trained on a dataset version. */
export interface TrainingRow {
  model_id: string;
  model_version: string;
  dataset_id: string;
  dataset_version_id: string;
  source: string;
  stage: string;
  recorded_at: Date;
}

/** `model_training`: model version ↔ dataset version links. */
export const modelTrainings = {
  /** Links recorded through RecordTraining (a link recorded before stays as it is). */
  async recordFromApi(em: EntityManager, modelId: string, modelVersion: string, datasetVersionId: string, datasetId: string): Promise<void> {
    await em.query(
      `INSERT INTO model_training (model_id, model_version, dataset_version_id, dataset_id, source) VALUES ($1, $2, $3, $4, 'api') ON CONFLICT DO NOTHING`,
      [modelId, modelVersion, datasetVersionId, datasetId],
    );
  },

  /** A link from a ModelPromoted event (the dataset looked up from the version; the stage follows the latest promotion). */
  async recordPromotion(em: EntityManager, modelId: string, modelVersion: string, datasetVersionId: string, stage: string): Promise<void> {
    await em.query(
      `INSERT INTO model_training (model_id, model_version, dataset_version_id, dataset_id, source, stage)
       VALUES ($1, $2, $3, coalesce((SELECT dataset_id FROM dataset_version WHERE version_id = $3 ORDER BY created_at LIMIT 1), ''), 'model_promoted', $4)
       ON CONFLICT (model_id, model_version, dataset_version_id) DO UPDATE SET stage = EXCLUDED.stage`,
      [modelId, modelVersion, datasetVersionId, stage],
    );
  },

  async get(em: EntityManager, modelId: string, modelVersion: string, datasetVersionId: string): Promise<TrainingRow | undefined> {
    const [t] = await queryRows<TrainingRow>(em, 'SELECT * FROM model_training WHERE model_id = $1 AND model_version = $2 AND dataset_version_id = $3', [
      modelId,
      modelVersion,
      datasetVersionId,
    ]);
    return t;
  },

  /** Models trained on a dataset version. */
  async ofVersion(em: EntityManager, datasetVersionId: string): Promise<TrainingRow[]> {
    return queryRows<TrainingRow>(em, 'SELECT * FROM model_training WHERE dataset_version_id = $1 ORDER BY model_id, model_version', [datasetVersionId]);
  },

  /** Links matching every non-empty filter, oldest first. */
  async find(em: EntityManager, f: { modelId: string; modelVersion: string; datasetVersionId: string }): Promise<TrainingRow[]> {
    return queryRows<TrainingRow>(
      em,
      `SELECT * FROM model_training WHERE ($1 = '' OR model_id = $1) AND ($2 = '' OR model_version = $2) AND ($3 = '' OR dataset_version_id = $3)
        ORDER BY recorded_at, model_id, model_version`,
      [f.modelId, f.modelVersion, f.datasetVersionId],
    );
  },
};
