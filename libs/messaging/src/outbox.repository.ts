import type { EntityManager, QueryRunner } from 'typeorm';

/** A pending `outbox` row as the relay reads it. */
export interface OutboxRow {
  id: string;
  topic: string;
  msg_key: string | null;
  headers: Record<string, string>;
  payload: Buffer;
}

/**
 * `outbox`: events waiting to be published, written in the transaction of the change that
 * emits them. Every function runs one statement and hands back the driver's promise as it is.
 */
export const outboxRows = {
  /** Inserts one row per array entry, with one statement, in the caller's transaction. */
  insert(em: EntityManager, topics: string[], keys: (string | null)[], headers: string[], payloads: Buffer[]): Promise<unknown> {
    return em.query(
      `INSERT INTO outbox (topic, msg_key, headers, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bytea[])`,
      [topics, keys, headers, payloads],
    );
  },

  /** Locks up to `limit` pending rows, oldest first, skipping rows another transaction holds. */
  lockPending(qr: QueryRunner, limit: number): Promise<OutboxRow[]> {
    return qr.query(`SELECT id, topic, msg_key, headers, payload FROM outbox WHERE status = 'pending' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]);
  },

  /** Deletes the rows the broker acknowledged. */
  deleteSent(qr: QueryRunner, ids: string[]): Promise<unknown> {
    return qr.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
  },

  /** Parks a row the broker refuses for its size: it stays for an operator, and the rows behind it go on. */
  park(qr: QueryRunner, id: string, reason: string): Promise<unknown> {
    return qr.query(`UPDATE outbox SET status = 'oversize', parked_at = now(), parked_reason = $2 WHERE id = $1`, [id, reason]);
  },

  /** How many rows wait to be published. */
  async pendingCount(qr: QueryRunner): Promise<number> {
    const [{ n }]: { n: number }[] = await qr.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`);
    return n;
  },
};

/** The session advisory lock that makes one replica per schema the outbox relay. */
export const relayLock = {
  /** Takes the lock on `qr`'s connection if no other session holds it; true when taken. */
  async tryAcquire(qr: QueryRunner, lockName: string): Promise<boolean> {
    const [{ locked }]: { locked: boolean }[] = await qr.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [lockName]);
    return locked;
  },
};
