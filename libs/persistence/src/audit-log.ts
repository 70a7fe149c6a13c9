import { createHash } from 'node:crypto';
import type { Queryable } from './query-rows';

/** One thing a person (or a service acting for one) did. */
export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  detail?: Record<string, unknown>;
}

/** A stored entry. */
export interface StoredAuditEntry extends Required<AuditEntry> {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

/** Hash of the empty chain. */
export const GENESIS = '0'.repeat(64);

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The hash of an entry given its predecessor's hash. */
export function entryHash(e: { seq: number; at: string; actor: string; action: string; subject: string; detail: Record<string, unknown> }, prevHash: string): string {
  return createHash('sha256').update(`${prevHash}\n${canonical({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, detail: e.detail })}`).digest('hex');
}

/**
 * Appends an entry inside the caller's transaction (so it exists if and only if the action
 * committed). Entries are serialised with a transaction-scoped advisory lock so the chain has
 * no forks.
 */
export async function appendAudit(q: Queryable, e: AuditEntry): Promise<StoredAuditEntry> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.audit_log'))`);
  const last = (await q.query('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')) as { seq: string; hash: string }[];
  const seq = last.length ? Number(last[0].seq) + 1 : 1;
  const prevHash = last.length ? last[0].hash : GENESIS;
  const at = new Date().toISOString();
  const detail = e.detail ?? {};
  const hash = entryHash({ seq, at, actor: e.actor, action: e.action, subject: e.subject, detail }, prevHash);
  await q.query('INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
    seq,
    at,
    e.actor,
    e.action,
    e.subject,
    JSON.stringify(detail),
    prevHash,
    hash,
  ]);
  return { seq, at, actor: e.actor, action: e.action, subject: e.subject, detail, prevHash, hash };
}

/** Result of verifying a chain. */
export type ChainVerdict = { ok: true; entries: number } | { ok: false; entries: number; firstBrokenSeq: number; problem: string };

/** Recomputes the chain in order and points at the first broken link. */
export function verifyChain(entries: { seq: number; at: string; actor: string; action: string; subject: string; detail: Record<string, unknown>; prevHash: string; hash: string }[]): ChainVerdict {
  let prev = GENESIS;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq) return { ok: false, entries: entries.length, firstBrokenSeq: expectedSeq, problem: `entry ${expectedSeq} is missing (next is ${e.seq})` };
    if (e.prevHash !== prev) return { ok: false, entries: entries.length, firstBrokenSeq: e.seq, problem: `entry ${e.seq} does not point at the previous entry's hash` };
    const h = entryHash(e, prev);
    if (h !== e.hash) return { ok: false, entries: entries.length, firstBrokenSeq: e.seq, problem: `entry ${e.seq} was altered (its content no longer matches its hash)` };
    prev = e.hash;
    expectedSeq++;
  }
  return { ok: true, entries: entries.length };
}

/** Reads a schema's chain (for the verify command). */
export async function readChain(q: Queryable, schema: string): Promise<Parameters<typeof verifyChain>[0]> {
  const res = (await q.query(`SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM "${schema}".audit_log ORDER BY seq`)) as unknown;
  // A TypeORM DataSource returns rows; a pg Client returns a result with .rows.
  const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as {
    seq: string; at: Date | string; actor: string; action: string; subject: string; detail: Record<string, unknown>; prev_hash: string; hash: string;
  }[];
  return rows.map((r) => ({ seq: Number(r.seq), at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, subject: r.subject, detail: r.detail, prevHash: r.prev_hash, hash: r.hash }));
}
