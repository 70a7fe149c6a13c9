import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Policies per model, per-model trigger signals and budget state, and a bounded store of
 * recent events (so a DriftDetected alert can be turned into requests for the events it names).
 */
export class SamplingPoliciesAndSignals1732400000000 implements MigrationInterface {
  name = 'SamplingPoliciesAndSignals1732400000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`CREATE TABLE sampling_policy (model_id text PRIMARY KEY, policy bytea NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await qr.query(`
      CREATE TABLE sampling_model_state (
        model_id   text PRIMARY KEY,
        signals    jsonb NOT NULL,
        budget     jsonb NOT NULL,
        recent_embeddings jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await qr.query(`
      CREATE TABLE sampling_recent_event (
        seq        bigserial PRIMARY KEY,
        model_id   text NOT NULL,
        event_id   text NOT NULL,
        event_time timestamptz NOT NULL,
        event      bytea NOT NULL
      )`);
    await qr.query('CREATE INDEX sampling_recent_event_model ON sampling_recent_event (model_id, seq)');
    await qr.query('CREATE INDEX sampling_recent_event_id ON sampling_recent_event (model_id, event_id)');
    await qr.query('ALTER TABLE sampling_decision ADD COLUMN priority integer NOT NULL DEFAULT 0');
    // Events a drift alert named before sampling had consumed them (the two topics are read
    // independently): they are requested when they arrive.
    await qr.query(
      `CREATE TABLE sampling_drift_ask (model_id text NOT NULL, event_id text NOT NULL, alert_id text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (model_id, event_id))`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE sampling_drift_ask');
    await qr.query('ALTER TABLE sampling_decision DROP COLUMN priority');
    await qr.query('DROP TABLE sampling_recent_event');
    await qr.query('DROP TABLE sampling_model_state');
    await qr.query('DROP TABLE sampling_policy');
  }
}
