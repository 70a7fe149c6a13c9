import { EntityManager, queryRows } from '@labelloop/persistence';
import type { ItemRecord } from '../versions/content-address';

/** `dataset_record`: item records by content hash, shared between versions. */
export const datasetRecords = {
  /** Stores records not stored yet (content-addressed: a stored record never changes). */
  async insertMany(em: EntityManager, records: [hash: string, record: ItemRecord][]): Promise<void> {
    await em.query(`INSERT INTO dataset_record (record_hash, record) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT DO NOTHING`, [
      records.map((r) => r[0]),
      records.map((r) => JSON.stringify(r[1])),
    ]);
  },

  /** Records by hash, in one query per chunk of 5000. */
  async byHash(em: EntityManager, hashes: string[]): Promise<Map<string, ItemRecord>> {
    const out = new Map<string, ItemRecord>();
    for (let i = 0; i < hashes.length; i += 5000) {
      const rows = await queryRows<{ record_hash: string; record: ItemRecord }>(
        em,
        'SELECT record_hash, record FROM dataset_record WHERE record_hash = ANY($1::text[])',
        [hashes.slice(i, i + 5000)],
      );
      for (const r of rows) out.set(r.record_hash, r.record);
    }
    return out;
  },
};
