import type { EntityManager } from 'typeorm';

// Every function runs one statement in the caller's transaction and hands back the driver's
// promise as it is: the consumers call these once per chunk on their hot path, so no wrapper
// adds an await.

/**
 * The row-per-event inbox's insert; `onConflict` tells a first delivery (skip a known id) from
 * a DLQ replay (may re-apply an id whose earlier outcome was dead-lettered).
 */
const claimSql = (onConflict: string) => `INSERT INTO inbox (consumer, event_id, topic, kafka_partition, kafka_offset, outcome)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[], $6::text[])
             ${onConflict} RETURNING event_id`;
const CLAIM_NEW = claimSql('ON CONFLICT DO NOTHING');
const CLAIM_REPLAYED = claimSql(`ON CONFLICT (consumer, event_id) DO UPDATE SET outcome = EXCLUDED.outcome, kafka_partition = EXCLUDED.kafka_partition,
           kafka_offset = EXCLUDED.kafka_offset, processed_at = now() WHERE inbox.outcome = 'dead-lettered'`);

/** One inbox claim's columns, one entry per event of the chunk. */
export interface InboxClaim {
  eventIds: string[];
  topics: string[];
  partitions: number[];
  offsets: string[];
  outcomes: string[];
}

/**
 * `inbox`: one row per consumed event id and consumer group (the default mode). The column
 * arguments hold one entry per event of the chunk.
 */
export const inboxRows = {
  /**
   * Inserts the chunk's ids not yet known, or for a DLQ replay (`replayed`) also takes over an id
   * whose stored outcome is dead-lettered; returns the ids written.
   */
  claim(em: EntityManager, replayed: boolean, consumer: string, rows: InboxClaim): Promise<{ event_id: string }[]> {
    return em.query(replayed ? CLAIM_REPLAYED : CLAIM_NEW, [consumer, rows.eventIds, rows.topics, rows.partitions, rows.offsets, rows.outcomes]);
  },

  /**
   * A partition's last `limit` rows, newest first, among the rows of the group's last ten
   * minutes of work (read by the processed_at index, not the whole inbox).
   */
  recentOfPartition(
    em: EntityManager,
    consumer: string,
    topic: string,
    partition: number,
    limit: number,
  ): Promise<{ event_id: string; kafka_offset: string; outcome: string }[]> {
    return em.query(
      `SELECT event_id, kafka_offset, outcome FROM inbox
        WHERE consumer = $1 AND topic = $2 AND kafka_partition = $3
          AND processed_at >= (SELECT max(processed_at) FROM inbox WHERE consumer = $1) - interval '10 minutes'
        ORDER BY kafka_offset DESC LIMIT $4`,
      [consumer, topic, partition, limit],
    );
  },
};

/** One applied chunk of a partition, as `inbox_chunk` stores it. */
export interface InboxChunk {
  consumer: string;
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  appliedIds: string[];
  deadIds: string[];
}

const INSERT_CHUNK = `INSERT INTO inbox_chunk (consumer, topic, kafka_partition, first_offset, last_offset, applied_ids, dead_ids)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`;
const INSERT_CARRIED_OVER = `${INSERT_CHUNK} ON CONFLICT DO NOTHING`;

/** `inbox_chunk`: the compact inbox's row per applied chunk, with its applied and dead-lettered ids. */
export const inboxChunks = {
  /** Forgets a partition's chunks (its log was replaced). */
  deleteOfPartition(em: EntityManager, consumer: string, topic: string, partition: number): Promise<unknown> {
    return em.query('DELETE FROM inbox_chunk WHERE consumer = $1 AND topic = $2 AND kafka_partition = $3', [consumer, topic, partition]);
  },

  /**
   * Records one applied chunk; a chunk carried over from the row-per-event inbox (`carriedOver`)
   * is skipped when a racing replica recorded it first.
   */
  insert(em: EntityManager, chunk: InboxChunk, carriedOver = false): Promise<unknown> {
    return em.query(carriedOver ? INSERT_CARRIED_OVER : INSERT_CHUNK, [
      chunk.consumer,
      chunk.topic,
      chunk.partition,
      chunk.firstOffset,
      chunk.lastOffset,
      chunk.appliedIds,
      chunk.deadIds,
    ]);
  },

  /** Up to 100 of a partition's chunks that start before `before` (all when null), newest first. */
  before(
    em: EntityManager,
    consumer: string,
    topic: string,
    partition: number,
    before: string | null,
  ): Promise<{ first_offset: string; applied_ids: string[]; dead_ids: string[] }[]> {
    return em.query(
      `SELECT first_offset, applied_ids, dead_ids FROM inbox_chunk
          WHERE consumer = $1 AND topic = $2 AND kafka_partition = $3 AND ($4::bigint IS NULL OR first_offset < $4)
          ORDER BY first_offset DESC LIMIT 100`,
      [consumer, topic, partition, before],
    );
  },
};

const LOCK_OFFSET = 'SELECT next_offset FROM consumer_offset WHERE consumer = $1 AND topic = $2 AND kafka_partition = $3 FOR UPDATE';
const INSERT_OFFSET = 'INSERT INTO consumer_offset (consumer, topic, kafka_partition, next_offset) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING';
const SET_OFFSET = 'UPDATE consumer_offset SET next_offset = $4 WHERE consumer = $1 AND topic = $2 AND kafka_partition = $3';

/** `consumer_offset`: per group and partition, the next offset the compact inbox has not applied. */
export const consumerOffsets = {
  /** Locks the partition's row for the caller's transaction and reads it (none before the first claim). */
  lock(em: EntityManager, consumer: string, topic: string, partition: number): Promise<{ next_offset: string }[]> {
    return em.query(LOCK_OFFSET, [consumer, topic, partition]);
  },

  /** Creates the partition's row at `nextOffset` unless it exists. */
  insertIfAbsent(em: EntityManager, consumer: string, topic: string, partition: number, nextOffset: string): Promise<unknown> {
    return em.query(INSERT_OFFSET, [consumer, topic, partition, nextOffset]);
  },

  /** Moves the partition's next offset. */
  set(em: EntityManager, consumer: string, topic: string, partition: number, nextOffset: string): Promise<unknown> {
    return em.query(SET_OFFSET, [consumer, topic, partition, nextOffset]);
  },
};
