import { Controller } from '@nestjs/common';
import { DriftDetected, DriftDetectedSchema, DriftResolved, DriftResolvedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import type { EntityManager } from '@labelloop/persistence';
import { retrainDriftStates } from '../repositories/retrain-drift-state.repository';

/** Tracks each model's open drift episode and its severity (a severe one forces a retrain). */
@Controller()
export class DriftDetectedConsumer {
  @Consumes(Topics.driftDetected, DriftDetectedSchema)
  async handle(events: ConsumedEvent<DriftDetected>[], em: EntityManager): Promise<void> {
    for (const { message: d } of events) {
      await retrainDriftStates.open(em, d.modelId, d.alertId, d.severity);
    }
  }
}

/** Closes a model's drift episode. */
@Controller()
export class DriftResolvedConsumer {
  @Consumes(Topics.driftResolved, DriftResolvedSchema)
  async handle(events: ConsumedEvent<DriftResolved>[], em: EntityManager): Promise<void> {
    for (const { message: d } of events) {
      await retrainDriftStates.close(em, d.modelId, d.alertId);
    }
  }
}
