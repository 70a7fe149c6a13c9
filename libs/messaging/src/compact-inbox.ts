import type { EntityManager } from 'typeorm';
import type { Claimed, Inbox, InboxEntry } from './inbox';
import { consumerOffsets, inboxChunks, inboxRows } from './inbox.repository';

export type { InboxEntry } from './inbox';

type Outcome = 'applied' | 'dead-lettered';

/** Drops a Map's oldest entries (insertion order) until it holds at most `max`. */
function trimOldest(ids: Map<string, Outcome>, max: number): void {
  for (const oldest of ids.keys()) {
    if (ids.size <= max) break;
    ids.delete(oldest);
  }
}

/** What this process knows of one partition: the next offset to apply and its recent ids. */
interface Horizon {
  next: bigint;
  /** Recent ids, oldest first (a Map keeps insertion order). */
  ids: Map<string, Outcome>;
}

/**
 * Exactly-once effects without a row per event, for high-volume streams (drift detection reads
 * every prediction). Two things recognise a message already applied, both written in the
 * chunk's own transaction:
 *  - **its offset**: `consumer_offset` holds, per group and partition, the next offset not yet
 *    applied. Kafka redelivers only offsets at or after its last commit, and everything before
 *    the stored offset was applied, so a redelivery (a crash before the offset commit, a
 *    rebalance, a zombie replica) is skipped with no lookup. The row is locked for the
 *    transaction, so two replicas never apply the same partition's chunk twice.
 *  - **its id**, for an event the producer sent twice (a new offset): `inbox_chunk` keeps one
 *    row per chunk with the ids it applied and dead-lettered, and each process keeps the last
 *    `horizon` ids of a partition in memory, rebuilt from those rows whenever the stored offset
 *    is not the one this process last wrote (a start, a rebalance, another replica's work).
 *    A re-send older than the horizon is applied again: the cost of not indexing every id.
 */
export class CompactInbox implements Inbox {
  private readonly horizons = new Map<string, Horizon>();

  constructor(
    private readonly consumer: string,
    private readonly horizon: number,
  ) {}

  /**
   * Claims a chunk of one partition inside the caller's transaction: returns which entries are
   * new (to apply or dead-letter), records them, and advances the stored offset. Call
   * `committed()` once the transaction committed, so this process's horizon follows.
   */
  async claim(em: EntityManager, topic: string, partition: number, entries: InboxEntry[], highWatermark?: string): Promise<Claimed> {
    let next = await this.lockOffset(em, topic, partition);
    // The partition's log ends before the offset we stored: it is not the log we applied (the
    // topic was deleted and created again, or an unclean leader election lost its tail). Kafka
    // never redelivers past its log end, so these are new messages: start over from them, and
    // forget the old log's chunks (their offsets would collide with the new log's).
    let restarted: { from: string; stored: string } | undefined;
    if (highWatermark !== undefined && entries.length > 0 && BigInt(highWatermark) < next) {
      restarted = { from: entries[0].offset, stored: next.toString() };
      next = BigInt(entries[0].offset);
      await inboxChunks.deleteOfPartition(em, this.consumer, topic, partition);
    }
    const key = `${topic}/${partition}`;
    let h = this.horizons.get(key);
    if (!h || h.next !== next) {
      h = { next, ids: await this.recentIds(em, topic, partition) };
      this.horizons.set(key, h);
    }
    const known = h.ids;
    const seen = new Map<string, Outcome>();
    // Offsets compare as numbers: exact below 2^53, which no partition's offset reaches.
    const from = Number(next);
    const fresh = entries.map((e) => {
      if (Number(e.offset) < from || seen.has(e.id)) return false;
      const before = known.get(e.id);
      if (before === 'applied' || (before === 'dead-lettered' && !(e.replay && !e.dead))) return false;
      seen.set(e.id, e.dead ? 'dead-lettered' : 'applied');
      return true;
    });
    const unseen = entries.filter((e) => Number(e.offset) >= from);
    if (unseen.length === 0) return { fresh, committed: () => undefined, restarted };
    const last = BigInt(unseen[unseen.length - 1].offset);
    if (seen.size > 0) {
      const applied: string[] = [];
      const dead: string[] = [];
      for (const [id, outcome] of seen) (outcome === 'applied' ? applied : dead).push(id);
      await inboxChunks.insert(em, {
        consumer: this.consumer,
        topic,
        partition,
        firstOffset: unseen[0].offset,
        lastOffset: last.toString(),
        appliedIds: applied,
        deadIds: dead,
      });
    }
    await consumerOffsets.set(em, this.consumer, topic, partition, (last + 1n).toString());
    const horizon = h;
    return {
      fresh,
      restarted,
      committed: () => {
        horizon.next = last + 1n;
        for (const [id, outcome] of seen) {
          known.delete(id);
          known.set(id, outcome);
        }
        trimOldest(known, this.horizon);
      },
    };
  }

  /** Locks the partition's offset row for this transaction and returns the next offset to apply. */
  private async lockOffset(em: EntityManager, topic: string, partition: number): Promise<bigint> {
    const select = () => consumerOffsets.lock(em, this.consumer, topic, partition);
    let [row] = await select();
    if (!row) {
      await this.carryOver(em, topic, partition);
      [row] = await select();
    }
    return BigInt(row.next_offset);
  }

  /**
   * The partition's first claim by a compact inbox. A stage that kept an inbox row per event
   * before (the default mode) applied the partition up to its last row: start after that row,
   * and keep the last `horizon` ids as a chunk, so switching a running stage to the compact inbox
   * applies nothing twice. Without such rows the partition starts at offset 0. Only the rows of
   * the group's last ten minutes of work are read (by the processed_at index, not the whole
   * inbox): Kafka redelivers only what came after its last offset commit, and the default mode
   * commits at the end of a batch once a second has passed since its last commit, so rows that
   * much older are never redelivered.
   * Two replicas racing here insert nothing after the first (the offset row's key serialises them).
   */
  private async carryOver(em: EntityManager, topic: string, partition: number): Promise<void> {
    const rows = await inboxRows.recentOfPartition(em, this.consumer, topic, partition, this.horizon);
    const next = rows.length ? BigInt(rows[0].kafka_offset) + 1n : 0n;
    await consumerOffsets.insertIfAbsent(em, this.consumer, topic, partition, next.toString());
    if (rows.length === 0) return;
    rows.reverse();
    await inboxChunks.insert(
      em,
      {
        consumer: this.consumer,
        topic,
        partition,
        firstOffset: rows[0].kafka_offset,
        lastOffset: rows[rows.length - 1].kafka_offset,
        appliedIds: rows.filter((r) => r.outcome === 'applied').map((r) => r.event_id),
        deadIds: rows.filter((r) => r.outcome !== 'applied').map((r) => r.event_id),
      },
      true,
    );
  }

  /** The partition's last `horizon` ids (or fewer), oldest first, from the stored chunks. */
  private async recentIds(em: EntityManager, topic: string, partition: number): Promise<Map<string, Outcome>> {
    const chunks: { applied_ids: string[]; dead_ids: string[] }[] = [];
    let count = 0;
    let before: string | null = null;
    while (count < this.horizon) {
      const rows = await inboxChunks.before(em, this.consumer, topic, partition, before);
      for (const r of rows) {
        chunks.push(r);
        count += r.applied_ids.length + r.dead_ids.length;
      }
      if (rows.length < 100) break;
      before = rows[rows.length - 1].first_offset;
    }
    const ids = new Map<string, Outcome>();
    for (const c of chunks.reverse()) {
      for (const id of c.dead_ids) ids.set(id, 'dead-lettered');
      for (const id of c.applied_ids) {
        ids.delete(id);
        ids.set(id, 'applied');
      }
    }
    trimOldest(ids, this.horizon);
    return ids;
  }
}
