/**
 * The compact inbox on the real PostgreSQL server, one claim at a time, as the consumer makes
 * them: what it recognises by offset, by id within its horizon, after a restart, after a DLQ
 * replay, and when a partition's log starts over.
 */
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import { createTestDatabase } from '@labelloop/testing';
import { CompactInbox, InboxEntry } from './compact-inbox';

describe('compact inbox (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('compact');
    ds = createServiceDataSource({ url: db.url, schema: 'compacttest', migrations: [] });
    await ds.initialize();
    await migrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** Entries at consecutive offsets from `from`: `id` or `id!` (dead-lettered) or `id^` (replayed from the DLQ). */
  const at = (from: number, ...ids: string[]): InboxEntry[] =>
    ids.map((s, i) => ({ id: s.replace(/[!^]$/, ''), offset: String(from + i), dead: s.endsWith('!'), replay: s.endsWith('^') }));
  /** Claims in a committed transaction; returns which entries were new. */
  const claim = async (inbox: CompactInbox, entries: InboxEntry[], highWatermark = '1000') => {
    let r!: Awaited<ReturnType<CompactInbox['claim']>>;
    await ds.transaction(async (em) => {
      r = await inbox.claim(em, 't', 0, entries, highWatermark);
    });
    r.committed();
    return { fresh: r.fresh, restarted: r.restarted };
  };
  const stored = async (consumer = 'g') => (await ds.query(`SELECT next_offset FROM consumer_offset WHERE consumer = $1`, [consumer]))[0].next_offset as string;

  it('recognises redelivered offsets and re-sent ids, within its horizon, across a restart', async () => {
    const inbox = new CompactInbox('g', 3);
    expect((await claim(inbox, at(0, 'a0', 'a1', 'a2', 'a3', 'a4'))).fresh).toEqual([true, true, true, true, true]);
    expect(await stored()).toBe('5');
    // Kafka redelivers from offset 3 (its commit was lost); two new messages follow.
    expect((await claim(inbox, at(3, 'a3', 'a4', 'a5', 'a6'))).fresh).toEqual([false, false, true, true]);
    // The producer sends a6 again (a new offset), and an id twice in one chunk.
    expect((await claim(inbox, at(7, 'a6', 'a7', 'a7'))).fresh).toEqual([false, true, false]);
    expect(await stored()).toBe('10');
    // A rolled-back claim changes nothing.
    await ds
      .transaction(async (em) => {
        await inbox.claim(em, 't', 0, at(10, 'a8'));
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(await stored()).toBe('10');

    // A new process: its horizon (last 3 ids: a5, a6, a7) comes from the stored chunks.
    const restarted = new CompactInbox('g', 3);
    expect((await claim(restarted, at(10, 'a7', 'a5', 'a8', 'a0'))).fresh).toEqual([false, false, true, true]); // a0: older than the horizon, applied again
    const chunks: { applied_ids: string[] }[] = await ds.query(`SELECT applied_ids FROM inbox_chunk WHERE consumer = 'g' ORDER BY first_offset`);
    expect(chunks.map((c) => c.applied_ids)).toEqual([['a0', 'a1', 'a2', 'a3', 'a4'], ['a5', 'a6'], ['a7'], ['a8', 'a0']]);
  });

  it('takes over from an inbox row per event (a stage switched to the compact inbox): its last offset and ids', async () => {
    // What the default inbox recorded for group 'rows' on partition 0: offsets 0-4, l2 dead-lettered.
    await ds.query(
      `INSERT INTO inbox (consumer, event_id, topic, kafka_partition, kafka_offset, outcome) SELECT 'rows', 'l' || o, 't', 0, o, CASE WHEN o = 2 THEN 'dead-lettered' ELSE 'applied' END FROM generate_series(0, 4) o`,
    );
    const inbox = new CompactInbox('rows', 100);
    // Kafka redelivers from offset 3 (the last commit before the switch was lost); l1 is sent again, l2 replayed from the DLQ.
    expect((await claim(inbox, at(3, 'l3', 'l4', 'l5', 'l1', 'l2^'))).fresh).toEqual([false, false, true, false, true]);
    expect(await stored('rows')).toBe('8');
    // A group with no rows starts at offset 0.
    expect((await claim(new CompactInbox('none', 100), at(0, 'n0'))).fresh).toEqual([true]);
  });

  it('applies a dead-lettered id once more when it is replayed from the DLQ, and only once', async () => {
    const inbox = new CompactInbox('g', 100);
    const from = Number(await stored());
    expect((await claim(inbox, at(from, 'c0!'))).fresh).toEqual([true]);
    expect((await claim(inbox, at(from + 1, 'c0', 'c0^'))).fresh).toEqual([false, true]);
    expect((await claim(inbox, at(from + 3, 'c0^'))).fresh).toEqual([false]);
    const [row] = await ds.query(`SELECT dead_ids FROM inbox_chunk WHERE consumer = 'g' AND first_offset = $1`, [from]);
    expect(row.dead_ids).toEqual(['c0']);
  });

  it('starts over when the partition log ends before the stored offset (topic recreated), and says so', async () => {
    const inbox = new CompactInbox('g', 100);
    const before = await stored();
    // A redelivery inside the log is skipped ...
    expect((await claim(inbox, at(0, 'b0', 'b1'), '50')).fresh).toEqual([false, false]);
    // ... but a log that ends at offset 2 is not the one we applied.
    const r = await claim(inbox, at(0, 'b0', 'b1'), '2');
    expect(r.fresh).toEqual([true, true]);
    expect(r.restarted).toEqual({ from: '0', stored: before });
    expect(await stored()).toBe('2');
    expect((await ds.query(`SELECT applied_ids FROM inbox_chunk WHERE consumer = 'g'`)).map((c: { applied_ids: string[] }) => c.applied_ids)).toEqual([
      ['b0', 'b1'],
    ]);
  });
});
