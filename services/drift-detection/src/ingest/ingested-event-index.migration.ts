import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ingested_event is pruned by received_at (InboxPruner): a BRIN index, since rows are written
 * in received_at order (as inbox_chunk's), lets each batch of the prune find old rows without
 * reading the table.
 */
export class IngestedEventIndex1732610000000 implements MigrationInterface {
  name = 'IngestedEventIndex1732610000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('CREATE INDEX ingested_event_received_at ON ingested_event USING brin (received_at)');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP INDEX ingested_event_received_at');
  }
}
