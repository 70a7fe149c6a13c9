import { EntityManager, queryRows } from '@labelloop/persistence';

/** A change of one class count of a split. */
export interface ClassCountDelta {
  datasetId: string;
  split: string;
  label: string;
  delta: number;
}

/** `dataset_class_count`: running item counts per split and class. */
export const datasetClassCounts = {
  async add(em: EntityManager, deltas: ClassCountDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    await em.query(
      `INSERT INTO dataset_class_count (dataset_id, split, label, n) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (dataset_id, split, label) DO UPDATE SET n = dataset_class_count.n + EXCLUDED.n`,
      [deltas.map((c) => c.datasetId), deltas.map((c) => c.split), deltas.map((c) => c.label), deltas.map((c) => c.delta)],
    );
  },

  /** The non-zero counts of a dataset, by split then class. */
  async of(em: EntityManager, datasetId: string): Promise<{ split: string; label: string; count: number }[]> {
    const rows = await queryRows<{ split: string; label: string; n: string }>(
      em,
      'SELECT split, label, n FROM dataset_class_count WHERE dataset_id = $1 AND n > 0 ORDER BY split, label',
      [datasetId],
    );
    return rows.map((c) => ({ split: c.split, label: c.label, count: Number(c.n) }));
  },
};
