import { createHash } from 'node:crypto';
import { auditLog } from './audit-log.repository';
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
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The hash of an entry given its predecessor's hash. */
export function entryHash(
  e: { seq: number; at: string; actor: string; action: string; subject: string; detail: Record<string, unknown> },
  prevHash: string,
): string {
  return createHash('sha256')
    .update(`${prevHash}\n${canonical({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, detail: e.detail })}`)
    .digest('hex');
}

/**
 * Appends an entry inside the caller's transaction (so it exists if and only if the action
 * committed). Entries are serialised with a transaction-scoped advisory lock so the chain has
 * no forks.
 */
export async function appendAudit(q: Queryable, e: AuditEntry): Promise<StoredAuditEntry> {
  await auditLog.lockChain(q);
  const head = await readAuditHead(q);
  const seq = head.entries + 1;
  const prevHash = head.hash;
  const at = new Date().toISOString();
  const detail = e.detail ?? {};
  const hash = entryHash({ seq, at, actor: e.actor, action: e.action, subject: e.subject, detail }, prevHash);
  await auditLog.append(q, [seq, at, e.actor, e.action, e.subject, JSON.stringify(detail), prevHash, hash]);
  return { seq, at, actor: e.actor, action: e.action, subject: e.subject, detail, prevHash, hash };
}

/** Result of verifying a chain. */
export type ChainVerdict = { ok: true; entries: number } | { ok: false; entries: number; firstBrokenSeq: number; problem: string };

/**
 * A chain's head as recorded outside the database (by an operator, or published to Kafka):
 * how many entries it had and the last one's hash. A chain rewritten with every later hash
 * recomputed is consistent in itself; only a head kept elsewhere shows it is not the one that was.
 */
export interface AuditHead {
  entries: number;
  hash: string;
  /** Where the head was recorded, for the message. */
  source?: string;
}

/** A stored entry as the verifier reads it. */
export type ChainEntry = {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

/** The head of a chain (entries 0 and the genesis hash when empty). */
export function chainHead(entries: ChainEntry[]): AuditHead {
  return { entries: entries.length, hash: entries.length ? entries[entries.length - 1].hash : GENESIS };
}

/**
 * Recomputes the chain in order and points at the first broken link, then checks it against
 * each recorded head: the chain must still hold that many entries, the last of them with that
 * hash. An empty chain is broken: the log's first entry is written when it is created.
 */
export function verifyChain(entries: ChainEntry[], heads: AuditHead[] = []): ChainVerdict {
  const broken = (firstBrokenSeq: number, problem: string): ChainVerdict => ({ ok: false, entries: entries.length, firstBrokenSeq, problem });
  if (entries.length === 0) return broken(1, 'the log is empty (its first entry is written when it is created, so entries were deleted)');
  let prev = GENESIS;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing (next is ${e.seq})`);
    if (e.prevHash !== prev) return broken(e.seq, `entry ${e.seq} does not point at the previous entry's hash`);
    if (entryHash(e, prev) !== e.hash) return broken(e.seq, `entry ${e.seq} was altered (its content no longer matches its hash)`);
    prev = e.hash;
    expectedSeq++;
  }
  for (const h of [...heads].sort((a, b) => a.entries - b.entries)) {
    const from = h.source ? ` (${h.source})` : '';
    if (h.entries > entries.length)
      return broken(entries.length + 1, `the log has ${entries.length} entries, fewer than the ${h.entries} of a recorded head${from}: entries were removed`);
    const actual = entries[h.entries - 1].hash;
    if (actual !== h.hash) {
      return broken(
        h.entries,
        `entry ${h.entries} has hash ${actual.slice(0, 12)}…, a recorded head${from} says ${h.hash.slice(0, 12)}…: the chain was rewritten at or before entry ${h.entries}`,
      );
    }
  }
  return { ok: true, entries: entries.length };
}

/** The head of the current schema's chain (entries 0 and the genesis hash when empty). */
export async function readAuditHead(q: Queryable): Promise<AuditHead> {
  const last = await auditLog.last(q);
  return last ? { entries: Number(last.seq), hash: last.hash } : { entries: 0, hash: GENESIS };
}

/** Reads a schema's chain (for the verify command). */
export async function readChain(q: Queryable, schema: string): Promise<ChainEntry[]> {
  const rows = await auditLog.chain(q, schema);
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}
