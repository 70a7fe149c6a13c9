import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { PredictionEvent } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';

/** `sampling_recent_event`: each model's recent predictions as consumed, so a drift alert can name them. */
export const recentEvents = {
  /**
   * Stores the events as they were consumed (no re-encoding), sent as one binary parameter cut
   * by offsets in SQL: a bytea[] parameter would go as hex text, which cost more than the rest
   * of the insert.
   */
  async append(em: EntityManager, modelId: string, evs: ConsumedEvent<PredictionEvent>[]): Promise<void> {
    const starts: number[] = [];
    let at = 0;
    for (const e of evs) {
      starts.push(at + 1); // substring() counts from 1
      at += e.value.length;
    }
    await em.query(
      `INSERT INTO sampling_recent_event (model_id, event_id, event_time, event)
       SELECT $1, id, t, substring($4::bytea FROM s FOR n) FROM unnest($2::text[], $3::timestamptz[], $5::int[], $6::int[]) AS u(id, t, s, n)`,
      [
        modelId,
        evs.map((e) => e.message.eventId),
        evs.map((e) => (e.message.timestamp ? timestampDate(e.message.timestamp) : new Date())),
        Buffer.concat(
          evs.map((e) => e.value),
          at,
        ),
        starts,
        evs.map((e) => e.value.length),
      ],
    );
  },

  /** Deletes all but the model's last `keep` events. */
  async keepLast(em: EntityManager, modelId: string, keep: number): Promise<void> {
    await em.query(
      `DELETE FROM sampling_recent_event WHERE model_id = $1 AND seq < (SELECT seq FROM sampling_recent_event WHERE model_id = $1 ORDER BY seq DESC OFFSET $2 LIMIT 1)`,
      [modelId, keep],
    );
  },

  /** The model's latest 5000 events that are among `eventIds` or happened between `start` and `end`, newest first. */
  namedOrBetween(em: EntityManager, modelId: string, eventIds: string[], start: Date, end: Date): Promise<{ event_id: string; event: Buffer }[]> {
    return em.query(
      `SELECT event_id, event FROM sampling_recent_event WHERE model_id = $1 AND (event_id = ANY($2) OR event_time BETWEEN $3 AND $4) ORDER BY seq DESC LIMIT 5000`,
      [modelId, eventIds, start, end],
    );
  },
};
