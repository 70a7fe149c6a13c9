import { Queryable, queryRows } from '@labelloop/persistence';

/** `retrain_drift_state`: each model's drift episode (open or closed) and its severity. */
export const retrainDriftStates = {
  /** Opens (or re-opens) the model's drift episode with this alert's severity. */
  async open(q: Queryable, modelId: string, alertId: string, severity: number): Promise<void> {
    await q.query(
      `INSERT INTO retrain_drift_state (model_id, alert_id, severity, open) VALUES ($1, $2, $3, true)
         ON CONFLICT (model_id) DO UPDATE SET alert_id = EXCLUDED.alert_id, severity = EXCLUDED.severity, open = true, updated_at = now()`,
      [modelId, alertId, severity],
    );
  },

  /** Closes the model's episode if this alert is the one that opened it. */
  async close(q: Queryable, modelId: string, alertId: string): Promise<void> {
    await q.query(`UPDATE retrain_drift_state SET open = false, updated_at = now() WHERE model_id = $1 AND alert_id = $2`, [modelId, alertId]);
  },

  /** Severity of the model's open drift episode; undefined when none is open. */
  async openSeverity(q: Queryable, modelId: string): Promise<number | undefined> {
    const [drift] = await queryRows<{ severity: number }>(q, 'SELECT severity FROM retrain_drift_state WHERE model_id = $1 AND open', [modelId]);
    return drift?.severity;
  },
};
