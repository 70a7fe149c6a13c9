import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@labelloop/persistence';

/** The ids of events the gateway has accepted (what makes a client's retry a no-op). */
@Injectable()
export class IngestedEventRepository {
  /**
   * Records `ids` in `em`'s transaction and returns those not seen before. A concurrent call
   * holding the same id waits for that call's transaction, then sees it as seen.
   */
  async claim(em: EntityManager, ids: string[]): Promise<Set<string>> {
    const fresh: { event_id: string }[] = await em.query(
      'INSERT INTO ingested_event (event_id) SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING event_id',
      [ids],
    );
    return new Set(fresh.map((r) => r.event_id));
  }
}
