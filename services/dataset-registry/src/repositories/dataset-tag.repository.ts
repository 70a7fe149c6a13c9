import { EntityManager, queryRows } from '@labelloop/persistence';

/** `dataset_tag`: free-form tags on versions. */
export const datasetTags = {
  /** Every tag of a dataset's versions, by tag. */
  async ofDataset(em: EntityManager, datasetId: string): Promise<{ version_id: string; tag: string }[]> {
    return queryRows<{ version_id: string; tag: string }>(em, 'SELECT version_id, tag FROM dataset_tag WHERE dataset_id = $1 ORDER BY tag', [datasetId]);
  },

  async ofVersion(em: EntityManager, datasetId: string, versionId: string): Promise<string[]> {
    const rows = await queryRows<{ tag: string }>(em, 'SELECT tag FROM dataset_tag WHERE dataset_id = $1 AND version_id = $2 ORDER BY tag', [
      datasetId,
      versionId,
    ]);
    return rows.map((r) => r.tag);
  },

  async add(em: EntityManager, datasetId: string, versionId: string, tag: string, createdBy: string): Promise<void> {
    await em.query('INSERT INTO dataset_tag (dataset_id, version_id, tag, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      datasetId,
      versionId,
      tag,
      createdBy,
    ]);
  },

  async remove(em: EntityManager, datasetId: string, versionId: string, tag: string): Promise<void> {
    await em.query('DELETE FROM dataset_tag WHERE dataset_id = $1 AND version_id = $2 AND tag = $3', [datasetId, versionId, tag]);
  },
};
