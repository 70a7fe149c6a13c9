import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The project each model belongs to, in the schema of every stage with model-scoped RPCs
 * (drift detection, sampling, retrain trigger). Models arrive without a project; the first
 * write by a caller scoped to one project claims the model for it (see `modelOwners`).
 */
export class CreateModelOwner1733300000000 implements MigrationInterface {
  name = 'CreateModelOwner1733300000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE model_owner (
        model_id   text PRIMARY KEY,
        project_id text NOT NULL,
        claimed_by text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE model_owner');
  }
}
