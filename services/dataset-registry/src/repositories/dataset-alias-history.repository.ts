import { EntityManager, queryRows } from '@labelloop/persistence';

/** One move of an alias. */
export interface AliasMove {
  version_id: string;
  previous_version_id: string | null;
  action: string;
  moved_by: string;
  moved_at: Date;
}

/** `dataset_alias_history`: every move of every alias. */
export const datasetAliasHistory = {
  /** The moves of an alias, newest first. */
  async of(em: EntityManager, datasetId: string, alias: string): Promise<AliasMove[]> {
    return queryRows<AliasMove>(
      em,
      'SELECT version_id, previous_version_id, action, moved_by, moved_at FROM dataset_alias_history WHERE dataset_id = $1 AND alias = $2 ORDER BY id DESC',
      [datasetId, alias],
    );
  },

  /** Whether the alias ever pointed at the version. */
  async pointedTo(em: EntityManager, datasetId: string, alias: string, versionId: string): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      em,
      'SELECT 1 AS one FROM dataset_alias_history WHERE dataset_id = $1 AND alias = $2 AND version_id = $3 LIMIT 1',
      [datasetId, alias, versionId],
    );
    return rows.length > 0;
  },

  async record(em: EntityManager, datasetId: string, alias: string, move: Omit<AliasMove, 'moved_at'>): Promise<void> {
    await em.query('INSERT INTO dataset_alias_history (dataset_id, alias, version_id, previous_version_id, action, moved_by) VALUES ($1, $2, $3, $4, $5, $6)', [
      datasetId,
      alias,
      move.version_id,
      move.previous_version_id,
      move.action,
      move.moved_by,
    ]);
  },
};
