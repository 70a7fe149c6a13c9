/**
 * Inbox retention on the real PostgreSQL server: rows older than the retention go, in batches;
 * younger ones, which still recognise redeliveries, stay.
 */
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import { Metrics } from '@labelloop/observability';
import { createTestDatabase } from '@labelloop/testing';
import { InboxPruner } from './inbox-pruner';

describe('inbox pruner (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('prune');
    ds = createServiceDataSource({ url: db.url, schema: 'prunetest', migrations: [] });
    await ds.initialize();
    await migrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** `n` inbox rows processed `hoursAgo` hours ago. */
  const rows = (prefix: string, n: number, hoursAgo: number) =>
    ds.query(
      `INSERT INTO inbox (consumer, event_id, topic, kafka_partition, kafka_offset, processed_at)
       SELECT 'g', $1 || i, 't', 0, i, now() - make_interval(hours => $2) FROM generate_series(1, $3) AS i`,
      [prefix, hoursAgo, n],
    );

  /** `n` compact-inbox chunks (offsets 100 i ..) processed `hoursAgo` hours ago. */
  const chunks = (from: number, n: number, hoursAgo: number) =>
    ds.query(
      `INSERT INTO inbox_chunk (consumer, topic, kafka_partition, first_offset, last_offset, applied_ids, dead_ids, processed_at)
       SELECT 'g', 't', 0, 100 * i, 100 * i + 99, ARRAY['e' || i], '{}', now() - make_interval(hours => $2) FROM generate_series($1::int, $1::int + $3::int - 1) AS i`,
      [from, hoursAgo, n],
    );

  it('deletes rows and chunks older than the retention, a batch at a time, and keeps the rest', async () => {
    await rows('old-', 25, 200);
    await rows('edge-', 3, 167);
    await rows('new-', 5, 1);
    await chunks(0, 12, 200);
    await chunks(12, 2, 1);
    const metrics = new Metrics('test');
    const pruner = new InboxPruner({ dataSource: ds, retentionHours: 168, intervalMs: 60_000, batch: 10, metrics });
    expect(await pruner.pruneOnce()).toBe(25 + 12);
    const left: { event_id: string }[] = await ds.query('SELECT event_id FROM inbox ORDER BY event_id');
    expect(left.map((r) => r.event_id)).toEqual(['edge-1', 'edge-2', 'edge-3', 'new-1', 'new-2', 'new-3', 'new-4', 'new-5']);
    const leftChunks: { first_offset: string }[] = await ds.query('SELECT first_offset FROM inbox_chunk ORDER BY first_offset');
    expect(leftChunks.map((r) => r.first_offset)).toEqual(['1200', '1300']);
    expect((await metrics.inboxPruned.get()).values[0].value).toBe(37);
    expect(await pruner.pruneOnce()).toBe(0);
  });

  it("prunes a service's own id table by its time column with the same retention", async () => {
    await ds.query('CREATE TABLE accepted_id (id text PRIMARY KEY, received_at timestamptz NOT NULL)');
    await ds.query(`INSERT INTO accepted_id SELECT 'old-' || i, now() - interval '200 hours' FROM generate_series(1, 7) AS i`);
    await ds.query(`INSERT INTO accepted_id VALUES ('new-1', now())`);
    const pruner = new InboxPruner({
      dataSource: ds,
      retentionHours: 168,
      intervalMs: 60_000,
      batch: 5,
      tables: [{ table: 'accepted_id', column: 'received_at' }],
    });
    expect(await pruner.pruneOnce()).toBe(7);
    expect((await ds.query('SELECT id FROM accepted_id')).map((r: { id: string }) => r.id)).toEqual(['new-1']);
  });

  it('with retention 0 keeps every row: start() does not prune', async () => {
    await rows('ancient-', 4, 10_000);
    const pruner = new InboxPruner({ dataSource: ds, retentionHours: 0, intervalMs: 10 });
    pruner.start();
    await new Promise((r) => setTimeout(r, 100));
    await pruner.stop();
    expect(Number((await ds.query(`SELECT count(*) AS n FROM inbox WHERE event_id LIKE 'ancient-%'`))[0].n)).toBe(4);
  });
});
