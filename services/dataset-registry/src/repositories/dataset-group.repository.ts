import { EntityManager, queryRows } from '@labelloop/persistence';

/** A split group of a dataset. */
export interface GroupSplit {
  datasetId: string;
  groupKey: string;
  split: string;
}

/** `dataset_group`: the split of each group, decided once. */
export const datasetGroups = {
  /** The stored splits of these (dataset, group) pairs. */
  async splits(em: EntityManager, groups: { datasetId: string; groupKey: string }[]): Promise<GroupSplit[]> {
    const rows = await queryRows<{ dataset_id: string; group_key: string; split: string }>(
      em,
      `SELECT g.dataset_id, g.group_key, g.split FROM dataset_group g JOIN unnest($1::text[], $2::text[]) AS w(d, k) ON g.dataset_id = w.d AND g.group_key = w.k`,
      [groups.map((g) => g.datasetId), groups.map((g) => g.groupKey)],
    );
    return rows.map((r) => ({ datasetId: r.dataset_id, groupKey: r.group_key, split: r.split }));
  },

  /** Stores new groups; a group stored meanwhile keeps its split. */
  async insertMany(em: EntityManager, groups: GroupSplit[]): Promise<void> {
    if (groups.length === 0) return;
    await em.query(`INSERT INTO dataset_group (dataset_id, group_key, split) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`, [
      groups.map((g) => g.datasetId),
      groups.map((g) => g.groupKey),
      groups.map((g) => g.split),
    ]);
  },
};
