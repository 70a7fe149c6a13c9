import { EntityManager, queryRows } from '@labelloop/persistence';

/** A group whose items sit in more than one split. */
export interface Leak {
  groupKey: string;
  splits: string[];
  /** Up to five of its items. */
  items: string[];
}

/** `dataset_leak`: the groups that leaked across splits at the last cut. */
export const datasetLeaks = {
  /**
   * Groups with items in more than one split, among the groups of the pending items and the
   * groups that leaked before (a version is clean when its parent was and no change leaks).
   */
  async find(em: EntityManager, datasetId: string): Promise<Leak[]> {
    const rows = await queryRows<{ group_key: string; splits: string[]; items: string[] }>(
      em,
      `WITH g AS (SELECT group_key FROM dataset_item WHERE dataset_id = $1 AND pending
                  UNION SELECT group_key FROM dataset_leak WHERE dataset_id = $1)
       SELECT i.group_key, array_agg(DISTINCT i.split ORDER BY i.split) AS splits, (array_agg(i.item_id ORDER BY i.item_id))[1:5] AS items
         FROM dataset_item i JOIN g ON g.group_key = i.group_key
        WHERE i.dataset_id = $1
        GROUP BY i.group_key HAVING count(DISTINCT i.split) > 1
        ORDER BY i.group_key LIMIT 1000`,
      [datasetId],
    );
    return rows.map((r) => ({ groupKey: r.group_key, splits: r.splits, items: r.items }));
  },

  /** Remembers exactly these leaked groups for the next cut. */
  async replace(em: EntityManager, datasetId: string, groupKeys: string[]): Promise<void> {
    await em.query('DELETE FROM dataset_leak WHERE dataset_id = $1', [datasetId]);
    if (groupKeys.length > 0) await em.query('INSERT INTO dataset_leak (dataset_id, group_key) SELECT $1, unnest($2::text[])', [datasetId, groupKeys]);
  },
};
