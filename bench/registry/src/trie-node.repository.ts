import type { Client, QueryResult } from 'pg';
import { SqlNodeStore } from '@labelloop/merkle-dataset';

// The bench's own SQL around the PostgreSQL node store (whose statements live in
// libs/merkle-dataset). Each function hands back the driver's promise, so the timed cut awaits
// exactly what it did inline.

/** The throw-away schema the bench's tables live in. */
export const benchSchema = {
  create(pg: Client, schema: string): Promise<QueryResult> {
    return pg.query(`CREATE SCHEMA ${schema}`);
  },

  drop(pg: Client, schema: string): Promise<QueryResult> {
    return pg.query(`DROP SCHEMA ${schema} CASCADE`);
  },
};

/** A `trie_node` table of one dataset size, and the transaction each timed cut runs in. */
export const trieNodes = {
  /** Creates the table as the registry does. */
  create(pg: Client, table: string): Promise<QueryResult> {
    return pg.query(SqlNodeStore.ddl(table));
  },

  analyze(pg: Client, table: string): Promise<QueryResult> {
    return pg.query(`ANALYZE ${table}`);
  },

  begin(tx: Client): Promise<QueryResult> {
    return tx.query('BEGIN');
  },

  commit(tx: Client): Promise<QueryResult> {
    return tx.query('COMMIT');
  },
};
