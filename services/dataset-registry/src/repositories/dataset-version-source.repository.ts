import { EntityManager, queryRows } from '@labelloop/persistence';

/** An item a version added or changed, with the events it came from. */
export interface VersionSource {
  itemId: string;
  change: 'added' | 'changed';
  sourceEventId: string;
  labelEventId: string | null;
}

/** `dataset_version_source`: the source prediction and LabelAccepted event ids behind a version's changes. */
export const datasetVersionSources = {
  async insertMany(em: EntityManager, datasetId: string, versionId: string, sources: VersionSource[]): Promise<void> {
    if (sources.length === 0) return;
    await em.query(
      `INSERT INTO dataset_version_source (dataset_id, version_id, item_id, change, source_event_id, label_event_id)
       SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[])`,
      [
        datasetId,
        versionId,
        sources.map((s) => s.itemId),
        sources.map((s) => s.change),
        sources.map((s) => s.sourceEventId),
        sources.map((s) => s.labelEventId),
      ],
    );
  },

  /** The event ids of a version's changes, by item id. */
  async of(em: EntityManager, datasetId: string, versionId: string): Promise<{ source_event_id: string; label_event_id: string | null }[]> {
    return queryRows<{ source_event_id: string; label_event_id: string | null }>(
      em,
      'SELECT source_event_id, label_event_id FROM dataset_version_source WHERE dataset_id = $1 AND version_id = $2 ORDER BY item_id',
      [datasetId, versionId],
    );
  },
};
