import { EntityManager, queryRows } from '@labelloop/persistence';

/** `dataset_version_item`: members of versions cut before tries (read only). */
export const datasetVersionItems = {
  async itemIds(em: EntityManager, datasetId: string, versionId: string): Promise<string[]> {
    const rows = await queryRows<{ item_id: string }>(
      em,
      'SELECT item_id FROM dataset_version_item WHERE dataset_id = $1 AND version_id = $2 ORDER BY item_id',
      [datasetId, versionId],
    );
    return rows.map((r) => r.item_id);
  },
};
