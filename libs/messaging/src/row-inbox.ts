import type { EntityManager } from 'typeorm';
import type { Claimed, Inbox, InboxEntry } from './inbox';
import { inboxRows } from './inbox.repository';

/**
 * The default inbox: a row per event id, so any redelivery of an id is recognised, however old.
 * One statement decides what is new for the whole chunk. A message replayed from the DLQ (header
 * labelloop-replay) may re-apply an id whose earlier outcome was dead-lettered — once: after it
 * is applied, further replays are duplicates.
 */
export class RowInbox implements Inbox {
  constructor(private readonly consumer: string) {}

  async claim(em: EntityManager, topic: string, partition: number, entries: InboxEntry[]): Promise<Claimed> {
    const insert = async (rows: InboxEntry[], replayed: boolean): Promise<{ event_id: string }[]> =>
      rows.length === 0
        ? []
        : inboxRows.claim(em, replayed, this.consumer, {
            eventIds: rows.map((e) => e.id),
            topics: rows.map(() => topic),
            partitions: rows.map(() => partition),
            offsets: rows.map((e) => e.offset),
            outcomes: rows.map((e) => (e.dead ? 'dead-lettered' : 'applied')),
          });
    const inserted = [
      ...(await insert(
        entries.filter((e) => !e.replay),
        false,
      )),
      ...(await insert(
        entries.filter((e) => e.replay),
        true,
      )),
    ];
    const written = new Set(inserted.map((r) => r.event_id));
    // A chunk can hold the same id twice (a producer retry): the first is new, the second is not.
    const seen = new Set<string>();
    const fresh = entries.map((e) => {
      if (!written.has(e.id) || seen.has(e.id)) return false;
      seen.add(e.id);
      return true;
    });
    return { fresh, committed: () => undefined };
  }
}
