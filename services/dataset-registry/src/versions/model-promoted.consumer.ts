import { Controller } from '@nestjs/common';
import { ModelPromoted, ModelPromotedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import type { EntityManager } from '@labelloop/persistence';
import { modelTrainings } from '../repositories/model-training.repository';

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
      await modelTrainings.recordPromotion(em, p.modelId, p.modelVersion, p.datasetVersionId, p.stage);
    }
  }
}
