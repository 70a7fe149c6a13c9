import { decodeNode, StoredNode, TrieNode } from './node';
import type { NodeStore } from './store';

/** Anything that runs SQL: a TypeORM DataSource / EntityManager (resolves to rows) or a node-postgres client or pool (resolves to `{ rows }`). */
export interface SqlQueryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** The rows of a query result from either kind of SqlQueryable. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: T[] } | undefined)?.rows;
  if (!Array.isArray(rows)) throw new Error('unexpected query result (neither rows nor { rows })');
  return rows;
}

/**
 * A NodeStore in one PostgreSQL table, `(hash bytea PRIMARY KEY, body bytea NOT NULL)`:
 * content-addressed, insert-if-absent (ON CONFLICT DO NOTHING), batched reads and writes.
 * Pass the transaction's query runner / EntityManager so nodes commit with what refers to them.
 */
export class SqlNodeStore implements NodeStore {
  /** Round trips and rows, for metrics and benchmarks. */
  readonly stats = { reads: 0, readRows: 0, writes: 0, writeRows: 0, readMs: 0, writeMs: 0 };

  constructor(
    private readonly db: SqlQueryable,
    private readonly table = 'trie_node',
    private readonly chunk = 5000,
  ) {
    if (!/^[a-z_][a-z0-9_.]*$/i.test(table)) throw new Error(`bad table name ${table}`);
  }

  /** DDL of the node table. */
  static ddl(table = 'trie_node'): string {
    return `CREATE TABLE IF NOT EXISTS ${table} (hash bytea PRIMARY KEY, body bytea NOT NULL)`;
  }

  async get(hash: string): Promise<TrieNode | undefined> {
    return (await this.getMany([hash])).get(hash);
  }

  async getMany(hashes: string[]): Promise<Map<string, TrieNode>> {
    const out = new Map<string, TrieNode>();
    const unique = [...new Set(hashes)];
    for (let i = 0; i < unique.length; i += this.chunk) {
      const part = unique.slice(i, i + this.chunk);
      const t0 = performance.now();
      const rows = rowsOf<{ h: string; body: Buffer }>(
        await this.db.query(
          `SELECT encode(hash, 'hex') AS h, body FROM ${this.table} WHERE hash = ANY (SELECT decode(x, 'hex') FROM unnest($1::text[]) AS x)`,
          [part],
        ),
      );
      this.stats.readMs += performance.now() - t0;
      this.stats.reads++;
      this.stats.readRows += rows.length;
      for (const r of rows) out.set(r.h, decodeNode(r.body));
    }
    return out;
  }

  async putMany(nodes: StoredNode[]): Promise<void> {
    for (let i = 0; i < nodes.length; i += this.chunk) {
      const part = nodes.slice(i, i + this.chunk);
      const t0 = performance.now();
      await this.db.query(
        `INSERT INTO ${this.table} (hash, body) SELECT decode(h, 'hex'), b FROM unnest($1::text[], $2::bytea[]) AS t(h, b) ON CONFLICT DO NOTHING`,
        [part.map((n) => n.hash), part.map((n) => n.bytes)],
      );
      this.stats.writeMs += performance.now() - t0;
      this.stats.writes++;
      this.stats.writeRows += part.length;
    }
  }
}
