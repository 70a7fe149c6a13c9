import { MigrationInterface, QueryRunner } from 'typeorm';

/** KServe inference-logger capture: per-InferenceService mappings, and halves waiting for their partner. */
export class CreateKserveTables1764810000000 implements MigrationInterface {
  name = 'CreateKserveTables1764810000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`CREATE TABLE kserve_mapping (inference_service text PRIMARY KEY, mapping jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await qr.query(`
      CREATE TABLE kserve_pending (
        ce_id        text NOT NULL,
        part         text NOT NULL CHECK (part IN ('request', 'response')),
        body         jsonb NOT NULL,
        attributes   jsonb NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ce_id, part)
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE kserve_pending');
    await qr.query('DROP TABLE kserve_mapping');
  }
}
