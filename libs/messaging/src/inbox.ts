import type { EntityManager } from 'typeorm';

/** One message of a chunk, as an inbox sees it. */
export interface InboxEntry {
  /** Event id (ce_id, or a fallback naming the offset when there is none). */
  id: string;
  offset: string;
  /** Goes to the DLQ rather than to the handler. */
  dead: boolean;
  /** Replayed from the DLQ: may re-apply an id whose earlier outcome was dead-lettered. */
  replay: boolean;
}

/** What an inbox decided for a chunk. */
export interface Claimed {
  /** Per entry, whether it is new (to apply or dead-letter); an id new twice in a chunk is new once. */
  fresh: boolean[];
  /** Call once the transaction committed, so what the inbox keeps in memory follows. */
  committed: () => void;
  /** The partition's log ends before the offset the inbox stored: it was applied from its first message. */
  restarted?: { from: string; stored: string };
}

/**
 * How an EventConsumer recognises redeliveries: `RowInbox` (a row per event id) or
 * `CompactInbox` (the consumed offset and a row per chunk). Both record what they claim in the
 * chunk's own transaction, so a chunk rolled back claims nothing.
 */
export interface Inbox {
  /** Claims a chunk of one partition inside the caller's transaction: which entries are new, recorded as such. */
  claim(em: EntityManager, topic: string, partition: number, entries: InboxEntry[], highWatermark?: string): Promise<Claimed>;
}
