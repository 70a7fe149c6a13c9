import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Ingest RPC moved to ingest-gateway (its own `ingested_event`), so drift detection's copy
 * of the accepted ids is dropped. A client retrying, across the upgrade, a call that drift
 * detection accepted is written once more (consumers' inboxes then skip the repeat).
 */
export class DropIngestedEvent1764806400000 implements MigrationInterface {
  name = 'DropIngestedEvent1764806400000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE IF EXISTS ingested_event');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`CREATE TABLE ingested_event (event_id text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now())`);
  }
}
