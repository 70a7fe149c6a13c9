import { EntityManager, queryRows } from '@labelloop/persistence';

/** `dataset_head`: each dataset's latest trie root, last cut and first pending change; and the dataset's lock. */
export const datasetHeads = {
  /** Serialises work on one dataset: item writes and cuts of the same dataset never interleave. */
  async lock(em: EntityManager, datasetId: string): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`labelloop.registry.dataset.${datasetId}`]);
  },

  /** The trie root of the last cut, or null before the first cut (or for a dataset versioned before tries). */
  async root(em: EntityManager, datasetId: string): Promise<string | null> {
    const [head] = await queryRows<{ root_hash: string | null }>(em, 'SELECT root_hash FROM dataset_head WHERE dataset_id = $1', [datasetId]);
    return head?.root_hash ?? null;
  },

  /** Records a cut: the new root, now as the last cut, nothing pending. */
  async recordCut(em: EntityManager, datasetId: string, root: string | null): Promise<void> {
    await em.query(
      `INSERT INTO dataset_head (dataset_id, root_hash, last_cut_at, first_pending_at) VALUES ($1, $2, now(), NULL)
       ON CONFLICT (dataset_id) DO UPDATE SET root_hash = EXCLUDED.root_hash, last_cut_at = now(), first_pending_at = NULL`,
      [datasetId, root],
    );
  },

  /** Notes now as the first pending change of each dataset that had none pending. */
  async markPending(em: EntityManager, datasetIds: string[]): Promise<void> {
    await em.query(
      `INSERT INTO dataset_head (dataset_id, first_pending_at) SELECT d, now() FROM unnest($1::text[]) AS d
       ON CONFLICT (dataset_id) DO UPDATE SET first_pending_at = coalesce(dataset_head.first_pending_at, now())`,
      [datasetIds],
    );
  },

  /** Datasets whose pending changes have waited `seconds` since the last cut (or the first pending change). */
  async due(em: EntityManager, seconds: number): Promise<string[]> {
    const rows = await queryRows<{ dataset_id: string }>(
      em,
      `SELECT dataset_id FROM dataset_head
        WHERE first_pending_at IS NOT NULL AND coalesce(last_cut_at, first_pending_at) <= now() - make_interval(secs => $1)
        ORDER BY dataset_id`,
      [seconds],
    );
    return rows.map((r) => r.dataset_id);
  },
};
