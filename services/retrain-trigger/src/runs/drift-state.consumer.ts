import { Controller } from '@nestjs/common';
import { DriftDetected, DriftDetectedSchema, DriftResolved, DriftResolvedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import type { EntityManager } from '@labelloop/persistence';

/** Tracks each model's open drift episode and its severity (a severe one forces a retrain). */
@Controller()
export class DriftDetectedConsumer {
  @Consumes(Topics.driftDetected, DriftDetectedSchema)
  async handle(events: ConsumedEvent<DriftDetected>[], em: EntityManager): Promise<void> {
    for (const { message: d } of events) {
      await em.query(
        `INSERT INTO retrain_drift_state (model_id, alert_id, severity, open) VALUES ($1, $2, $3, true)
         ON CONFLICT (model_id) DO UPDATE SET alert_id = EXCLUDED.alert_id, severity = EXCLUDED.severity, open = true, updated_at = now()`,
        [d.modelId, d.alertId, d.severity],
      );
    }
  }
}

/** Closes a model's drift episode. */
@Controller()
export class DriftResolvedConsumer {
  @Consumes(Topics.driftResolved, DriftResolvedSchema)
  async handle(events: ConsumedEvent<DriftResolved>[], em: EntityManager): Promise<void> {
    for (const { message: d } of events) {
      await em.query(`UPDATE retrain_drift_state SET open = false, updated_at = now() WHERE model_id = $1 AND alert_id = $2`, [d.modelId, d.alertId]);
    }
  }
}
