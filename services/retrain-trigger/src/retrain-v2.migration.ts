import { MigrationInterface, QueryRunner } from 'typeorm';

/** Policies, champions, kept promotion decisions, and the drift state that can force a run. */
export class RetrainPoliciesAndPromotion1732410000000 implements MigrationInterface {
  name = 'RetrainPoliciesAndPromotion1732410000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`CREATE TABLE retrain_policy (model_id text PRIMARY KEY, policy bytea NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await qr.query(`
      CREATE TABLE model_champion (
        model_id           text PRIMARY KEY,
        model_version      text NOT NULL,
        stage              text NOT NULL,
        dataset_version_id text NOT NULL,
        metrics            jsonb NOT NULL,
        slices             jsonb NOT NULL,
        promoted_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query(`
      CREATE TABLE promotion_decision (
        id                 bigserial PRIMARY KEY,
        model_id           text NOT NULL,
        candidate_version  text NOT NULL,
        dataset_version_id text NOT NULL,
        promoted           boolean NOT NULL,
        reasons            text[] NOT NULL,
        candidate_metrics  jsonb NOT NULL,
        champion_metrics   jsonb,
        champion_version   text,
        event_id           text NOT NULL UNIQUE,
        decided_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query('CREATE INDEX promotion_decision_model ON promotion_decision (model_id, decided_at)');
    await qr.query(
      `CREATE TABLE retrain_drift_state (model_id text PRIMARY KEY, alert_id text, severity integer NOT NULL, open boolean NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    );
    await qr.query(
      'ALTER TABLE retrain_run ADD COLUMN started_at timestamptz, ADD COLUMN finished_at timestamptz, ADD COLUMN timeout_seconds integer NOT NULL DEFAULT 3600',
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE retrain_run DROP COLUMN started_at, DROP COLUMN finished_at, DROP COLUMN timeout_seconds');
    await qr.query('DROP TABLE retrain_drift_state');
    await qr.query('DROP TABLE promotion_decision');
    await qr.query('DROP TABLE model_champion');
    await qr.query('DROP TABLE retrain_policy');
  }
}
