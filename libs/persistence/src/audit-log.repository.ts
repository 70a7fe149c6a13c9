import type { Queryable } from './query-rows';

/** A stored `audit_log` row as the verifier reads it. */
export interface AuditLogRow {
  seq: string;
  at: Date | string;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** The values of one entry, in `audit_log_append`'s order. */
export type AuditAppendArgs = [seq: number, at: string, actor: string, action: string, subject: string, detail: string, prevHash: string, hash: string];

/** `audit_log`: the current schema's hash chain (written only through `audit_log_append`). */
export const auditLog = {
  /** Serialises appends to the chain for the rest of the caller's transaction. */
  async lockChain(q: Queryable): Promise<void> {
    await q.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.audit_log'))`);
  },

  /** Appends one entry through the append function: the service role may not write the table itself (audit-log-grants.ts). */
  async append(q: Queryable, args: AuditAppendArgs): Promise<void> {
    await q.query('SELECT audit_log_append($1, $2, $3, $4, $5, $6, $7, $8)', args);
  },

  /** The last entry's sequence number and hash, if any. */
  async last(q: Queryable): Promise<{ seq: string; hash: string } | undefined> {
    const [last] = (await q.query('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')) as { seq: string; hash: string }[];
    return last;
  },

  /** Every entry of `schema`'s chain, in order. */
  async chain(q: Queryable, schema: string): Promise<AuditLogRow[]> {
    const res = await q.query(`SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM "${schema}".audit_log ORDER BY seq`);
    // A TypeORM DataSource returns rows; a pg Client returns a result with .rows.
    return (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as AuditLogRow[];
  },

  /** True when `schema` has an audit log table (read through a pg Client or a DataSource). */
  async exists(q: Queryable, schema: string): Promise<boolean> {
    const res = await q.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, 'audit_log']);
    return (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows).length > 0;
  },
};
