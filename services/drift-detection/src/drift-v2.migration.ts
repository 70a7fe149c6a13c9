import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Detector v2: per-model configuration, reference and window stored apart (the reference is
 * rewritten only when it changes), and a version for optimistic caching. v1 window state is
 * not convertible and is dropped: affected models rebuild their reference from new events.
 */
export class DriftDetectorV21732390000000 implements MigrationInterface {
  name = 'DriftDetectorV21732390000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`CREATE TABLE drift_model_config (model_id text PRIMARY KEY, config bytea NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await qr.query('DROP TABLE drift_model_state');
    await qr.query(`
      CREATE TABLE drift_model_state (
        model_id       text PRIMARY KEY,
        model_version  text NOT NULL,
        reference      jsonb NOT NULL,
        window_state   jsonb NOT NULL,
        open_alert_id  text,
        version        bigint NOT NULL DEFAULT 0,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE drift_model_config');
  }
}
