import { EntityManager, queryRows } from '@labelloop/persistence';

/**
 * One row's contribution to a dataset's QA sums (+1 item put in, -1 taken out). Confidence
 * and agreement are decimal strings: each double enters as its shortest decimal and PostgreSQL
 * sums them as exact numerics, so they leave as the same decimal (no drift).
 */
export interface StatsContribution {
  datasetId: string;
  items: number;
  confidence: string;
  agreement: string;
  auditItems: number;
}

/** QA figures of a dataset. */
export interface DatasetQa {
  items: number;
  meanConfidence: number;
  meanAgreement: number;
  auditItems: number;
}

/** `dataset_stats`: running QA sums per dataset. */
export const datasetStats = {
  async add(em: EntityManager, c: StatsContribution[]): Promise<void> {
    await em.query(
      `INSERT INTO dataset_stats (dataset_id, items, sum_confidence, sum_agreement, audit_items)
       SELECT d, sum(n), sum(c), sum(a), sum(au) FROM unnest($1::text[], $2::bigint[], $3::numeric[], $4::numeric[], $5::bigint[]) AS t(d, n, c, a, au) GROUP BY d
       ON CONFLICT (dataset_id) DO UPDATE SET items = dataset_stats.items + EXCLUDED.items, sum_confidence = dataset_stats.sum_confidence + EXCLUDED.sum_confidence,
         sum_agreement = dataset_stats.sum_agreement + EXCLUDED.sum_agreement, audit_items = dataset_stats.audit_items + EXCLUDED.audit_items`,
      [c.map((x) => x.datasetId), c.map((x) => x.items), c.map((x) => x.confidence), c.map((x) => x.agreement), c.map((x) => x.auditItems)],
    );
  },

  /** The dataset's QA figures (zeros when it has none). */
  async qa(em: EntityManager, datasetId: string): Promise<DatasetQa> {
    const [st] = await queryRows<{ items: string; mean_confidence: number | null; mean_agreement: number | null; audit_items: string }>(
      em,
      `SELECT items, (sum_confidence / nullif(items, 0))::float8 AS mean_confidence, (sum_agreement / nullif(items, 0))::float8 AS mean_agreement, audit_items
         FROM dataset_stats WHERE dataset_id = $1`,
      [datasetId],
    );
    return {
      items: Number(st?.items ?? 0),
      meanConfidence: st?.mean_confidence ?? 0,
      meanAgreement: st?.mean_agreement ?? 0,
      auditItems: Number(st?.audit_items ?? 0),
    };
  },
};
