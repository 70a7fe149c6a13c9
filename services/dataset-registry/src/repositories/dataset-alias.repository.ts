import { EntityManager, queryRows } from '@labelloop/persistence';

/** `dataset_alias`: movable names (candidate, production ...) of a dataset's versions. */
export const datasetAliases = {
  /** Serialises moves of one alias until the transaction ends. */
  async lock(em: EntityManager, datasetId: string, alias: string): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`labelloop.registry.alias.${datasetId}.${alias}`]);
  },

  async get(em: EntityManager, datasetId: string, alias: string): Promise<{ version_id: string; updated_at: Date } | undefined> {
    const [a] = await queryRows<{ version_id: string; updated_at: Date }>(
      em,
      'SELECT version_id, updated_at FROM dataset_alias WHERE dataset_id = $1 AND alias = $2',
      [datasetId, alias],
    );
    return a;
  },

  /** Every alias of a dataset with its version, by alias. */
  async ofDataset(em: EntityManager, datasetId: string): Promise<{ version_id: string; alias: string }[]> {
    return queryRows<{ version_id: string; alias: string }>(em, 'SELECT version_id, alias FROM dataset_alias WHERE dataset_id = $1 ORDER BY alias', [
      datasetId,
    ]);
  },

  /** Points the alias at a version. */
  async set(em: EntityManager, datasetId: string, alias: string, versionId: string): Promise<void> {
    await em.query(
      `INSERT INTO dataset_alias (dataset_id, alias, version_id) VALUES ($1, $2, $3)
       ON CONFLICT (dataset_id, alias) DO UPDATE SET version_id = EXCLUDED.version_id, updated_at = now()`,
      [datasetId, alias, versionId],
    );
  },
};
