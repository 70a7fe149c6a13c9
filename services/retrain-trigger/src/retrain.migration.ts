import { MigrationInterface, QueryRunner } from 'typeorm';

/** Training runs: at most one per (model, dataset version). */
export class CreateRetrainTables1732370000000 implements MigrationInterface {
  name = 'CreateRetrainTables1732370000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE retrain_run (
        run_id             text PRIMARY KEY,
        model_id           text NOT NULL,
        dataset_id         text NOT NULL,
        dataset_version_id text NOT NULL,
        export_uri         text NOT NULL,
        state              text NOT NULL CHECK (state IN ('requested','running','succeeded','failed','timed_out')),
        launcher           text NOT NULL,
        reason             text NOT NULL,
        attempts           integer NOT NULL DEFAULT 0,
        last_error         text,
        external_id        text,
        traceparent        text,
        next_attempt_at    timestamptz NOT NULL DEFAULT now(),
        requested_at       timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        UNIQUE (model_id, dataset_version_id)
      )`);
    await qr.query(`CREATE INDEX retrain_run_due ON retrain_run (next_attempt_at) WHERE state = 'requested'`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE retrain_run');
  }
}
