import type { Queryable } from '@labelloop/persistence';

/** `ls_item`: items imported into (or found in) a Label Studio project. */
export const lsItems = {
  /** Records the items as imported into the Label Studio project (items recorded before stay as they are). */
  async record(q: Queryable, itemIds: string[], projectId: string, lsProjectId: number): Promise<void> {
    await q.query(`INSERT INTO ls_item (item_id, project_id, ls_project_id) SELECT id, $2, $3 FROM unnest($1::text[]) id ON CONFLICT DO NOTHING`, [
      itemIds,
      projectId,
      lsProjectId,
    ]);
  },
};
