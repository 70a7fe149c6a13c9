import { Inject, Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { DatasetRegistryService, GetVersionRequest, ListVersionsRequest } from '@labelloop/contracts';
import type { DataSource } from '@labelloop/persistence';
import { authorize, invalidArgument, notFound, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';

interface VersionRow {
  version_id: string;
  dataset_id: string;
  number: number;
  parent_version_id: string | null;
  item_count: number;
  new_items: number;
  counts: { split: string; label: string; count: number }[];
  export_uri: string;
  manifest_sha256: string;
  model_id: string;
  model_versions: string[];
  created_at: Date;
}

const toProto = (v: VersionRow) => ({
  datasetId: v.dataset_id,
  versionId: v.version_id,
  versionNumber: BigInt(v.number),
  parentVersionId: v.parent_version_id ?? '',
  itemCount: BigInt(v.item_count),
  counts: v.counts.map((c) => ({ split: c.split, label: c.label, count: BigInt(c.count) })),
  exportUri: v.export_uri,
  manifestSha256: v.manifest_sha256,
  modelVersions: v.model_versions,
  approvedAt: timestampFromDate(new Date(v.created_at)),
  newItems: BigInt(v.new_items),
  modelId: v.model_id,
});

/** DatasetRegistryService: list and read versions. */
@Injectable()
export class RegistryGrpc implements ServiceImpl<(typeof DatasetRegistryService)['method']> {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async listVersions(req: ListVersionsRequest, ctx: RpcContext) {
    if (!req.datasetId) throw invalidArgument('dataset_id', 'is required');
    authorize(ctx.principal, ['service', 'reviewer'], req.datasetId);
    const rows: VersionRow[] = await this.ds.query('SELECT * FROM dataset_version WHERE dataset_id = $1 ORDER BY number', [req.datasetId]);
    return { versions: rows.map(toProto) };
  }

  async getVersion(req: GetVersionRequest, ctx: RpcContext) {
    if (!req.versionId) throw invalidArgument('version_id', 'is required');
    const [row]: VersionRow[] = await this.ds.query('SELECT * FROM dataset_version WHERE version_id = $1 LIMIT 1', [req.versionId]);
    if (!row) throw notFound(`version ${req.versionId}`);
    authorize(ctx.principal, ['service', 'reviewer'], row.dataset_id);
    const items: { item_id: string }[] = await this.ds.query(
      'SELECT item_id FROM dataset_version_item WHERE dataset_id = $1 AND version_id = $2 ORDER BY item_id',
      [row.dataset_id, row.version_id],
    );
    return { version: toProto(row), itemIds: items.map((i) => i.item_id) };
  }
}
