import { Injectable } from '@nestjs/common';
import { ModelPromoted, ModelPromotedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent, EventHandler } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { emptyState } from './detector';
import { StateRepository } from './state.repository';

/**
 * A promoted model starts a new reference: the next events of the promoted version form it,
 * and any open episode of the old model is closed without an alert (it no longer applies).
 */
@Injectable()
export class ModelPromotedConsumer implements EventHandler<typeof ModelPromotedSchema> {
  readonly topic = Topics.modelPromoted;
  readonly schema = ModelPromotedSchema;

  constructor(private readonly repo: StateRepository) {}

  validate(p: ModelPromoted): string | undefined {
    if (!p.modelId) return 'model_id is required';
    if (!p.modelVersion) return 'model_version is required';
    return undefined;
  }

  async handle(events: ConsumedEvent<ModelPromoted>[], em: EntityManager): Promise<void> {
    for (const ev of events) {
      const { modelId, modelVersion } = ev.message;
      const m = await this.repo.load(em, modelId, modelVersion);
      if (m.openAlert) await em.query('UPDATE drift_alert SET resolved_at = now() WHERE alert_id = $1', [m.openAlert]);
      await this.repo.save(em, modelId, { ...m, state: emptyState(modelVersion), openAlert: null, referenceDirty: true });
    }
  }
}
