import { EntityManager, queryRows } from '@labelloop/persistence';

/** A change of one facet value's count. */
export interface FacetDelta {
  datasetId: string;
  facet: string;
  value: string;
  delta: number;
}

/** `dataset_facet`: running item counts per lineage facet value (split, guideline, model, annotator ...). */
export const datasetFacets = {
  async add(em: EntityManager, deltas: FacetDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    await em.query(
      `INSERT INTO dataset_facet (dataset_id, facet, value, n) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (dataset_id, facet, value) DO UPDATE SET n = dataset_facet.n + EXCLUDED.n`,
      [deltas.map((c) => c.datasetId), deltas.map((c) => c.facet), deltas.map((c) => c.value), deltas.map((c) => c.delta)],
    );
  },

  /** The non-zero counts of a dataset: facet → value → items. */
  async of(em: EntityManager, datasetId: string): Promise<Record<string, Record<string, number>>> {
    const rows = await queryRows<{ facet: string; value: string; n: string }>(
      em,
      'SELECT facet, value, n FROM dataset_facet WHERE dataset_id = $1 AND n > 0 ORDER BY facet, value',
      [datasetId],
    );
    const facets: Record<string, Record<string, number>> = {};
    for (const f of rows) (facets[f.facet] ??= {})[f.value] = Number(f.n);
    return facets;
  },
};
