import { Queryable, queryRows } from '@labelloop/persistence';

/** `ls_project`: the Label Studio project that mirrors each LabelLoop project. */
export const lsProjects = {
  /**
   * Takes the transaction-scoped advisory lock on syncing the project with Label Studio; false
   * when another transaction (replica) holds it.
   */
  async tryLockSync(q: Queryable, projectId: string): Promise<boolean> {
    const [{ locked }] = await queryRows<{ locked: boolean }>(
      q,
      `SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.ls-sync'), hashtext($1)) AS locked`,
      [projectId],
    );
    return locked;
  },

  /** The Label Studio project id of a LabelLoop project, if it has one yet. */
  async lsProjectIdOf(q: Queryable, projectId: string): Promise<number | undefined> {
    const [known] = await queryRows<{ ls_project_id: number }>(q, 'SELECT ls_project_id FROM ls_project WHERE project_id = $1', [projectId]);
    return known?.ls_project_id;
  },

  /** The LabelLoop project a Label Studio project mirrors, if any. */
  async projectOf(q: Queryable, lsProjectId: number): Promise<string | undefined> {
    const [row] = await queryRows<{ project_id: string }>(q, 'SELECT project_id FROM ls_project WHERE ls_project_id = $1', [lsProjectId]);
    return row?.project_id;
  },

  /** Records the pair (the first record wins). */
  async record(q: Queryable, projectId: string, lsProjectId: number): Promise<void> {
    await q.query('INSERT INTO ls_project (project_id, ls_project_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [projectId, lsProjectId]);
  },
};
