import { MigrationInterface, QueryRunner } from 'typeorm';

/** Gold items: known answers injected into annotators' queues (never shown to them). */
export class DispatchGoldItems1732530000000 implements MigrationInterface {
  name = 'DispatchGoldItems1732530000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(
      `CREATE TABLE gold_item (project_id text NOT NULL, item_id text NOT NULL, input_uri text NOT NULL, answer bytea NOT NULL, PRIMARY KEY (project_id, item_id))`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE gold_item');
  }
}
