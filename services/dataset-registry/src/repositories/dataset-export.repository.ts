import type { EntityManager } from '@labelloop/persistence';
import type { ExportResult } from '../exports/exporter';

/** `dataset_export`: the exports written, one per (version, manifest). */
export const datasetExports = {
  /** Records an export (writing the same manifest again replaces its row). */
  async upsert(em: EntityManager, datasetId: string, versionId: string, formats: readonly string[], r: ExportResult): Promise<void> {
    await em.query(
      `INSERT INTO dataset_export (dataset_id, version_id, manifest_name, formats, uri, manifest_sha256, files) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (dataset_id, version_id, manifest_name) DO UPDATE SET uri = EXCLUDED.uri, manifest_sha256 = EXCLUDED.manifest_sha256, files = EXCLUDED.files`,
      [datasetId, versionId, r.manifestName, formats, r.uri, r.manifestSha256, JSON.stringify(r.files)],
    );
  },
};
