/**
 * The Ingest RPC's idempotency table (ingested_event, one row per event id ever ingested) is
 * pruned with the inbox, on the real PostgreSQL server: rows older than the retention go,
 * younger ones, which still recognise a client's retry, stay.
 */
import { InboxPruner } from '@labelloop/messaging';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import { createTestDatabase } from '@labelloop/testing';
import { driftPrunedTables } from './ingest.grpc';
import { migrations } from '../migrations';

describe('ingested_event retention (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('ingestprune');
    ds = createServiceDataSource({ url: db.url, schema: 'drift_detection', migrations });
    await ds.initialize();
    await migrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** `n` ingested event ids received `hoursAgo` hours ago. */
  const ingested = (prefix: string, n: number, hoursAgo: number) =>
    ds.query(`INSERT INTO ingested_event (event_id, received_at) SELECT $1 || i, now() - make_interval(hours => $2) FROM generate_series(1, $3) AS i`, [prefix, hoursAgo, n]);

  it('deletes ids older than INBOX_RETENTION_HOURS with the inbox, a batch at a time, and keeps the rest', async () => {
    await ingested('old-', 25, 200);
    await ingested('new-', 3, 1);
    const pruner = new InboxPruner({ dataSource: ds, retentionHours: 168, intervalMs: 60_000, batch: 10, tables: driftPrunedTables });
    expect(await pruner.pruneOnce()).toBe(25);
    const left: { event_id: string }[] = await ds.query('SELECT event_id FROM ingested_event ORDER BY event_id');
    expect(left.map((r) => r.event_id)).toEqual(['new-1', 'new-2', 'new-3']);
  });
});
