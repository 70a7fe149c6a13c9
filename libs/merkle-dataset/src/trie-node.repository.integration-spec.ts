/**
 * SqlNodeStore on the real PostgreSQL server, through a plain node-postgres client (the
 * registry uses it through TypeORM): the same roots as in memory, content-addressed
 * insert-if-absent, batched reads, and a rolled-back transaction leaves no node behind.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { MemoryNodeStore } from './store';
import { SqlNodeStore } from './trie-node.repository';
import { applyChanges, collectEntries, diff, fromEntries, verify } from './trie';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('SqlNodeStore (real PostgreSQL)', () => {
  const schema = `merkletest_${randomUUID().slice(0, 8)}`;
  let pg: Client;
  let store: SqlNodeStore;

  beforeAll(async () => {
    pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
    await pg.query(`CREATE SCHEMA ${schema}`);
    await pg.query(SqlNodeStore.ddl(`${schema}.trie_node`));
    store = new SqlNodeStore(pg, `${schema}.trie_node`, 700);
  });
  afterAll(async () => {
    await pg?.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await pg?.end();
  });

  const count = async () => Number((await pg.query(`SELECT count(*) AS n FROM ${schema}.trie_node`)).rows[0].n);

  it('stores, shares and reads back tries', async () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({ itemId: `item-${i}`, recordHash: sha(`r${i}`) }));
    const root = await fromEntries(store, entries);
    expect(root).toBe(await fromEntries(new MemoryNodeStore(), entries));
    const nodes = await count();
    expect(await fromEntries(store, [...entries].reverse())).toBe(root); // insert-if-absent: nothing new
    expect(await count()).toBe(nodes);
    expect(await verify(store, root)).toBe(5000);

    const before = store.stats.reads;
    const next = await applyChanges(store, root, [
      { itemId: 'item-7', recordHash: sha('x') },
      { itemId: 'item-8', recordHash: null },
      { itemId: 'new', recordHash: sha('n') },
    ]);
    expect(store.stats.reads - before).toBeLessThanOrEqual(5); // one batched read per level
    expect((await count()) - nodes).toBeLessThanOrEqual(3 * 4);
    expect(await diff(store, root, next)).toEqual({
      added: [{ itemId: 'new', recordHash: sha('n') }],
      removed: [{ itemId: 'item-8', recordHash: sha('r8') }],
      changed: [{ itemId: 'item-7', before: sha('r7'), after: sha('x') }],
    });
    expect((await collectEntries(store, next)).length).toBe(5000);
  });

  it('writes nothing when the transaction rolls back', async () => {
    const nodes = await count();
    await pg.query('BEGIN');
    await fromEntries(store, [{ itemId: `rolled-back-${randomUUID()}`, recordHash: 'h' }]);
    await pg.query('ROLLBACK');
    expect(await count()).toBe(nodes);
  });
});
