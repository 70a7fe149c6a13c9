import { EntityManager, queryRows } from '@labelloop/persistence';
import type { ExportFileInfo, ExportResult } from '../exports/exporter';

/** Lineage aggregates stored with a version. */
export interface StoredLineage {
  facets: Record<string, Record<string, number>>;
  previous: { added: number; changed: number; removed: number };
  sourceEvents: number;
}

/** A `dataset_version` row. */
export interface VersionRow {
  version_id: string;
  dataset_id: string;
  number: number;
  parent_version_id: string | null;
  previous_version_id: string | null;
  item_count: number;
  new_items: number;
  added_items: number;
  changed_items: number;
  removed_items: number;
  counts: { split: string; label: string; count: number }[];
  split_counts: { split: string; count: number }[];
  qa: { items?: number; meanConfidence?: number; meanAgreement?: number; auditItems?: number };
  export_uri: string;
  manifest_sha256: string;
  export_files: ExportFileInfo[];
  model_id: string;
  model_versions: string[];
  guideline_versions: string[];
  root_hash: string | null;
  status: 'approved' | 'rejected';
  reasons: string[];
  cut_reason: string;
  lineage: Partial<StoredLineage>;
  created_at: Date;
}

/** A version to insert (a trie version: its id is its root hash). */
export type NewVersion = Omit<VersionRow, 'created_at' | 'root_hash' | 'lineage'> & { lineage: StoredLineage };

/** `dataset_version`: every version of every dataset. */
export const datasetVersions = {
  /** The version with the highest number. */
  async latest(em: EntityManager, datasetId: string): Promise<VersionRow | undefined> {
    const [v] = await queryRows<VersionRow>(em, 'SELECT * FROM dataset_version WHERE dataset_id = $1 ORDER BY number DESC LIMIT 1', [datasetId]);
    return v;
  },

  /** The approved version with the highest number. */
  async latestApproved(em: EntityManager, datasetId: string): Promise<VersionRow | undefined> {
    const [v] = await queryRows<VersionRow>(em, `SELECT * FROM dataset_version WHERE dataset_id = $1 AND status = 'approved' ORDER BY number DESC LIMIT 1`, [
      datasetId,
    ]);
    return v;
  },

  async get(em: EntityManager, datasetId: string, versionId: string): Promise<VersionRow | undefined> {
    const [v] = await queryRows<VersionRow>(em, 'SELECT * FROM dataset_version WHERE dataset_id = $1 AND version_id = $2', [datasetId, versionId]);
    return v;
  },

  /** Versions with this id in any dataset (at most two: enough to tell one from several). */
  async anyDataset(em: EntityManager, versionId: string): Promise<VersionRow[]> {
    return queryRows<VersionRow>(em, 'SELECT * FROM dataset_version WHERE version_id = $1 LIMIT 2', [versionId]);
  },

  /** The version an alias of the dataset points to. */
  async byAlias(em: EntityManager, datasetId: string, alias: string): Promise<VersionRow | undefined> {
    const [v] = await queryRows<VersionRow>(
      em,
      'SELECT v.* FROM dataset_alias a JOIN dataset_version v ON v.dataset_id = a.dataset_id AND v.version_id = a.version_id WHERE a.dataset_id = $1 AND a.alias = $2',
      [datasetId, alias],
    );
    return v;
  },

  /** Every version of a dataset, by number. */
  async list(em: EntityManager, datasetId: string): Promise<VersionRow[]> {
    return queryRows<VersionRow>(em, 'SELECT * FROM dataset_version WHERE dataset_id = $1 ORDER BY number', [datasetId]);
  },

  /** Approved trie versions whose export is not published yet (oldest first), of one dataset or of all. */
  async unexported(em: EntityManager, datasetId?: string): Promise<{ dataset_id: string; version_id: string }[]> {
    return queryRows<{ dataset_id: string; version_id: string }>(
      em,
      `SELECT dataset_id, version_id FROM dataset_version
        WHERE status = 'approved' AND export_uri = '' AND root_hash IS NOT NULL AND ($1::text IS NULL OR dataset_id = $1)
        ORDER BY dataset_id, number`,
      [datasetId ?? null],
    );
  },

  /**
   * Records a version's published export, unless one was recorded already (by another replica
   * or an earlier attempt): returns the updated row, or undefined when there was nothing to do.
   * Concurrent callers queue on the row; the later one finds the export recorded.
   */
  async recordExport(em: EntityManager, datasetId: string, versionId: string, r: ExportResult): Promise<VersionRow | undefined> {
    const [v] = await queryRows<VersionRow>(
      em,
      `UPDATE dataset_version SET export_uri = $3, manifest_sha256 = $4, export_files = $5
        WHERE dataset_id = $1 AND version_id = $2 AND status = 'approved' AND export_uri = '' RETURNING *`,
      [datasetId, versionId, r.uri, r.manifestSha256, JSON.stringify(r.files)],
    );
    return v;
  },

  async insert(em: EntityManager, v: NewVersion): Promise<VersionRow> {
    const [row] = await queryRows<VersionRow>(
      em,
      `INSERT INTO dataset_version (version_id, dataset_id, number, parent_version_id, previous_version_id, item_count, new_items, added_items, changed_items, removed_items,
                                    counts, split_counts, qa, export_uri, manifest_sha256, export_files, model_id, model_versions, guideline_versions,
                                    root_hash, status, reasons, cut_reason, lineage)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) RETURNING *`,
      [
        v.version_id,
        v.dataset_id,
        v.number,
        v.parent_version_id,
        v.previous_version_id,
        v.item_count,
        v.new_items,
        v.added_items,
        v.changed_items,
        v.removed_items,
        JSON.stringify(v.counts),
        JSON.stringify(v.split_counts),
        JSON.stringify(v.qa),
        v.export_uri,
        v.manifest_sha256,
        JSON.stringify(v.export_files),
        v.model_id,
        v.model_versions,
        v.guideline_versions,
        v.version_id,
        v.status,
        v.reasons,
        v.cut_reason,
        JSON.stringify(v.lineage),
      ],
    );
    return row;
  },
};
