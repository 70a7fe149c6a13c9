import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG } from '@labelloop/runtime';
import type { DriftConfig } from '../drift.config';
import type { WindowStatsRow } from './window-stats';

interface Row {
  model_id: string;
  model_version: string;
  window_start: Date;
  window_end: Date;
  tested_at: Date;
  features: WindowStatsRow['features'];
  drifted_share: number;
  outcome: WindowStatsRow['outcome'];
  alert_id: string | null;
  estimated_accuracy: number | null;
  measured_accuracy: number | null;
  labelled_predictions: number;
  calibration_predictions: number;
}

/** Every query of drift_window_stats: each model's last DRIFT_WINDOW_HISTORY tested windows. */
@Injectable()
export class WindowStatsRepository {
  constructor(@Inject(CONFIG) private readonly config: Pick<DriftConfig, 'DRIFT_WINDOW_HISTORY'>) {}

  /**
   * Stores a tested window in the consumer's transaction and deletes the model's windows beyond
   * the history. The model's state row is locked by then, so a model's windows get increasing ids.
   */
  async record(em: EntityManager, w: WindowStatsRow): Promise<void> {
    await em.query(
      `INSERT INTO drift_window_stats (model_id, model_version, window_start, window_end, features, drifted_share, outcome, alert_id,
         estimated_accuracy, measured_accuracy, labelled_predictions, calibration_predictions)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        w.modelId,
        w.modelVersion,
        w.windowStart,
        w.windowEnd,
        JSON.stringify(w.features),
        w.driftedShare,
        w.outcome,
        w.alertId,
        w.accuracy.estimated ?? null,
        w.accuracy.measured ?? null,
        w.accuracy.labelled,
        w.accuracy.calibration,
      ],
    );
    await em.query(
      `DELETE FROM drift_window_stats WHERE model_id = $1 AND id < (
         SELECT id FROM drift_window_stats WHERE model_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
      [w.modelId, this.config.DRIFT_WINDOW_HISTORY - 1],
    );
  }

  /** A model's newest `limit` windows, newest first. */
  async list(em: Pick<EntityManager, 'query'>, modelId: string, limit: number): Promise<WindowStatsRow[]> {
    const rows: Row[] = await em.query('SELECT * FROM drift_window_stats WHERE model_id = $1 ORDER BY id DESC LIMIT $2', [modelId, limit]);
    return rows.map((r) => ({
      modelId: r.model_id,
      modelVersion: r.model_version,
      windowStart: r.window_start,
      windowEnd: r.window_end,
      testedAt: r.tested_at,
      features: r.features,
      driftedShare: r.drifted_share,
      outcome: r.outcome,
      alertId: r.alert_id,
      accuracy: {
        estimated: r.estimated_accuracy ?? undefined,
        measured: r.measured_accuracy ?? undefined,
        labelled: r.labelled_predictions,
        calibration: r.calibration_predictions,
      },
    }));
  }
}
