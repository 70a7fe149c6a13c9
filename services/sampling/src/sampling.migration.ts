import { MigrationInterface, QueryRunner } from 'typeorm';

/** Sampling decisions: one row per item ever requested, so no item is requested twice. */
export class CreateSamplingTables1732330000000 implements MigrationInterface {
  name = 'CreateSamplingTables1732330000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE sampling_decision (
        item_id         text PRIMARY KEY,
        content_hash    text NOT NULL UNIQUE,
        model_id        text NOT NULL,
        model_version   text NOT NULL,
        trigger         text NOT NULL,
        strategy        text NOT NULL,
        score           double precision NOT NULL,
        audit_sample    boolean NOT NULL,
        source_event_id text NOT NULL,
        request         bytea NOT NULL,
        decided_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query('CREATE INDEX sampling_decision_model ON sampling_decision (model_id, decided_at)');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE sampling_decision');
  }
}
