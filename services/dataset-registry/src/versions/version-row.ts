import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { DatasetApprovedSchema, VersionInfoSchema } from '@labelloop/contracts';
import { iterateBatches, rowsOf, SqlNodeStore, SqlQueryable } from '@labelloop/merkle-dataset';
import type { ExportFileInfo } from '../exports/exporter';
import { HASH_SCHEME, ItemRecord } from './content-address';

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

/** The DatasetApproved message of a version (the event and the gRPC view are the same). */
export function approvedMessage(v: VersionRow): MessageInitShape<typeof DatasetApprovedSchema> {
  return {
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
    splitCounts: v.split_counts.map((s) => ({ split: s.split, count: BigInt(s.count) })),
    exportFiles: v.export_files.map((f) => ({ name: f.name, format: f.format, sha256: f.sha256, bytes: BigInt(f.bytes), records: BigInt(f.records) })),
    qa: { items: BigInt(v.qa.items ?? v.item_count), meanConfidence: v.qa.meanConfidence ?? 0, meanAgreement: v.qa.meanAgreement ?? 0, auditItems: BigInt(v.qa.auditItems ?? 0) },
    hashScheme: v.root_hash ? HASH_SCHEME : 'labelloop-flat-merkle-v0',
    guidelineVersions: v.guideline_versions,
    cutReason: v.cut_reason,
    previousVersionId: v.previous_version_id ?? '',
    addedItems: BigInt(v.added_items),
    changedItems: BigInt(v.changed_items),
    removedItems: BigInt(v.removed_items),
  };
}

/** VersionInfo of a version with its tags and current aliases. */
export function versionInfo(v: VersionRow, tags: string[], aliases: string[]): MessageInitShape<typeof VersionInfoSchema> {
  return {
    version: approvedMessage(v),
    status: v.status,
    reasons: v.reasons,
    tags,
    aliases,
    createdAt: timestampFromDate(new Date(v.created_at)),
  };
}

/** Records by hash, in one query per chunk. */
export async function recordsByHash(q: SqlQueryable, hashes: string[]): Promise<Map<string, ItemRecord>> {
  const out = new Map<string, ItemRecord>();
  for (let i = 0; i < hashes.length; i += 5000) {
    const rows = rowsOf<{ record_hash: string; record: ItemRecord }>(await q.query('SELECT record_hash, record FROM dataset_record WHERE record_hash = ANY($1::text[])', [hashes.slice(i, i + 5000)]));
    for (const r of rows) out.set(r.record_hash, r.record);
  }
  return out;
}

/** The records of the trie at `root`, in trie order, in batches of up to 5000. */
export async function* versionRecords(q: SqlQueryable, root: string | null): AsyncGenerator<ItemRecord[]> {
  const store = new SqlNodeStore(q);
  let pending: { itemId: string; recordHash: string }[] = [];
  const flush = async () => {
    const byHash = await recordsByHash(q, [...new Set(pending.map((e) => e.recordHash))]);
    const out = pending.map((e) => {
      const r = byHash.get(e.recordHash);
      if (!r) throw new Error(`record ${e.recordHash} of ${e.itemId} is missing`);
      return r;
    });
    pending = [];
    return out;
  };
  for await (const batch of iterateBatches(store, root)) {
    for (const e of batch) {
      pending.push(e);
      if (pending.length >= 5000) yield await flush();
    }
  }
  if (pending.length > 0) yield await flush();
}

/** Every class name in a version's counts (multi-label classes split on `|`), for COCO categories. */
export function categoriesOf(v: Pick<VersionRow, 'counts'>): string[] {
  return [...new Set(v.counts.flatMap((c) => c.label.split('|')))].sort();
}
