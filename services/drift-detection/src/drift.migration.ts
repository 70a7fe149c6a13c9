import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-model detector state (reference, current window, episode) and alert history. */
export class CreateDriftTables1732380000000 implements MigrationInterface {
  name = 'CreateDriftTables1732380000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE drift_model_state (
        model_id        text PRIMARY KEY,
        model_version   text NOT NULL,
        state           jsonb NOT NULL,
        open_alert_id   text,
        windows_tested  bigint NOT NULL DEFAULT 0,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query(`
      CREATE TABLE drift_alert (
        alert_id     text PRIMARY KEY,
        model_id     text NOT NULL,
        opened_at    timestamptz NOT NULL DEFAULT now(),
        resolved_at  timestamptz,
        detail       jsonb NOT NULL
      )`);
    await qr.query(`CREATE TABLE ingested_event (event_id text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE ingested_event');
    await qr.query('DROP TABLE drift_alert');
    await qr.query('DROP TABLE drift_model_state');
  }
}
