import { EntityManager, queryRows } from '@labelloop/persistence';

/** `sampling_drift_ask`: events a drift alert named before they reached the sampler. */
export const driftAsks = {
  /** Remembers that `alertId` asked for `eventIds` of the model. */
  async add(em: EntityManager, modelId: string, eventIds: string[], alertId: string): Promise<void> {
    await em.query(`INSERT INTO sampling_drift_ask (model_id, event_id, alert_id) SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING`, [
      modelId,
      eventIds,
      alertId,
    ]);
  },

  /** Deletes the asks for those of `eventIds` that have one; returns their event ids. */
  take(em: EntityManager, modelId: string, eventIds: string[]): Promise<{ event_id: string }[]> {
    return queryRows<{ event_id: string }>(em, 'DELETE FROM sampling_drift_ask WHERE model_id = $1 AND event_id = ANY($2) RETURNING event_id', [
      modelId,
      eventIds,
    ]);
  },
};
