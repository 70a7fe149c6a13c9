import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Parked outbox rows: a row the broker refuses for its size (MESSAGE_TOO_LARGE: bigger than the
 * topic's `max.message.bytes`) can never be published, and cannot be dead-lettered either (the
 * dead letter would be as large, and the row may itself be a dead letter). The relay marks it
 * `status = 'oversize'` with the time and the broker's error, skips it, and goes on with the
 * rows behind it; an operator finds it there (docs/runbook.md) and sets it back to `pending`
 * once the topic accepts it. Nothing is deleted that Kafka did not acknowledge.
 */
export class OutboxParkedRows1733310000000 implements MigrationInterface {
  name = 'OutboxParkedRows1733310000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`
      ALTER TABLE outbox
        ADD COLUMN status text NOT NULL DEFAULT 'pending' CONSTRAINT outbox_status CHECK (status IN ('pending', 'oversize')),
        ADD COLUMN parked_at timestamptz,
        ADD COLUMN parked_reason text`);
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('ALTER TABLE outbox DROP COLUMN parked_reason, DROP COLUMN parked_at, DROP COLUMN status');
  }
}
