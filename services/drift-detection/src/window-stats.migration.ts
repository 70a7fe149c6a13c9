import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each tested window's per-feature statistics (what DriftService.ListWindowStatistics serves
 * and the console charts). Bounded: the last DRIFT_WINDOW_HISTORY windows of each model.
 */
export class CreateWindowStats1764900000000 implements MigrationInterface {
  name = 'CreateWindowStats1764900000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE drift_window_stats (
        id             bigserial PRIMARY KEY,
        model_id       text NOT NULL,
        model_version  text NOT NULL,
        window_start   timestamptz NOT NULL,
        window_end     timestamptz NOT NULL,
        tested_at      timestamptz NOT NULL DEFAULT now(),
        features       jsonb NOT NULL,
        drifted_share  double precision NOT NULL,
        outcome        text NOT NULL,
        alert_id       text
      )`);
    await qr.query('CREATE INDEX drift_window_stats_model ON drift_window_stats (model_id, id DESC)');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE drift_window_stats');
  }
}
