import { MigrationInterface, QueryRunner } from 'typeorm';

/** The ids of accepted events: a client's retry with the same event_id is written once. */
export class CreateGatewayTables1764806400000 implements MigrationInterface {
  name = 'CreateGatewayTables1764806400000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`CREATE TABLE ingested_event (event_id text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE ingested_event');
  }
}
