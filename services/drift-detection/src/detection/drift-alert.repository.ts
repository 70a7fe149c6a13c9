import type { EntityManager } from '@labelloop/persistence';

/** `drift_alert`: every alert raised, with what it found, until the model's drift resolves. */
export const driftAlerts = {
  /** Records a new open alert of the model. */
  async open(em: EntityManager, alertId: string, modelId: string, detail: Record<string, unknown>): Promise<void> {
    await em.query('INSERT INTO drift_alert (alert_id, model_id, detail) VALUES ($1, $2, $3)', [alertId, modelId, JSON.stringify(detail)]);
  },

  /** Marks the alert resolved now. */
  async resolve(em: EntityManager, alertId: string): Promise<void> {
    await em.query('UPDATE drift_alert SET resolved_at = now() WHERE alert_id = $1', [alertId]);
  },
};
