import { Controller } from '@nestjs/common';
import { ModelPromoted, ModelPromotedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import type { EntityManager } from '@labelloop/persistence';

/**
 * Links promoted model versions to the dataset version they were trained on (ModelPromoted
 * carries it), so "which model was trained on what" has an answer without anyone calling
 * RecordTraining. A promotion without a dataset version records nothing.
 */
@Controller()
export class ModelPromotedConsumer {
  validate(p: ModelPromoted): string | undefined {
    if (!p.modelId) return 'model_id is required';
    if (!p.modelVersion) return 'model_version is required';
    return undefined;
  }

  @Consumes(Topics.modelPromoted, ModelPromotedSchema)
  async handle(events: ConsumedEvent<ModelPromoted>[], em: EntityManager): Promise<void> {
    for (const { message: p } of events) {
      if (!p.datasetVersionId) continue;
      await em.query(
        `INSERT INTO model_training (model_id, model_version, dataset_version_id, dataset_id, source, stage)
         VALUES ($1, $2, $3, coalesce((SELECT dataset_id FROM dataset_version WHERE version_id = $3 ORDER BY created_at LIMIT 1), ''), 'model_promoted', $4)
         ON CONFLICT (model_id, model_version, dataset_version_id) DO UPDATE SET stage = EXCLUDED.stage`,
        [p.modelId, p.modelVersion, p.datasetVersionId, p.stage],
      );
    }
  }
}
