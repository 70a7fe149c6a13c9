import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The compact inbox, for consumers of high-volume streams (EventConsumer `inbox: 'chunks'`):
 *  - `consumer_offset`: per consumer group and partition, the next offset not yet applied,
 *    written in the same transaction as the effect (a redelivery from Kafka is recognised by
 *    its offset, with no row per event);
 *  - `inbox_chunk`: one row per applied chunk with the ids it applied and dead-lettered, from
 *    which a consumer rebuilds its recent-id horizon (a re-sent event is recognised by its id).
 */
export class CreateCompactInbox1732600000000 implements MigrationInterface {
  name = 'CreateCompactInbox1732600000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      CREATE TABLE consumer_offset (
        consumer        text    NOT NULL,
        topic           text    NOT NULL,
        kafka_partition integer NOT NULL,
        next_offset     bigint  NOT NULL,
        PRIMARY KEY (consumer, topic, kafka_partition)
      )`);
    await qr.query(`
      CREATE TABLE inbox_chunk (
        consumer        text        NOT NULL,
        topic           text        NOT NULL,
        kafka_partition integer     NOT NULL,
        first_offset    bigint      NOT NULL,
        last_offset     bigint      NOT NULL,
        applied_ids     text[]      NOT NULL,
        dead_ids        text[]      NOT NULL,
        processed_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, topic, kafka_partition, first_offset)
      )`);
    await qr.query(`CREATE INDEX inbox_chunk_processed_at ON inbox_chunk USING brin (processed_at)`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP TABLE inbox_chunk');
    await qr.query('DROP TABLE consumer_offset');
  }
}
