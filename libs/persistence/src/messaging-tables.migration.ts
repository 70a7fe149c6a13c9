import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox and outbox every service needs for exactly-once effects:
 *  - `inbox`: ids of events already applied, written in the same transaction as the effect;
 *  - `outbox`: events to publish, written in the same transaction as the state change and
 *    deleted by the relay once Kafka acknowledged them (so a slow commit can never be skipped).
 */
export class CreateMessagingTables1732320000000 implements MigrationInterface {
  name = 'CreateMessagingTables1732320000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE inbox (
        consumer     text        NOT NULL,
        event_id     text        NOT NULL,
        topic        text        NOT NULL,
        kafka_partition integer  NOT NULL,
        kafka_offset bigint      NOT NULL,
        outcome      text        NOT NULL DEFAULT 'applied',
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await qr.query(`CREATE INDEX inbox_processed_at ON inbox (processed_at)`);
    await qr.query(`
      CREATE TABLE outbox (
        id         bigserial   PRIMARY KEY,
        topic      text        NOT NULL,
        msg_key    text,
        headers    jsonb       NOT NULL,
        payload    bytea       NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE outbox');
    await qr.query('DROP TABLE inbox');
  }
}
