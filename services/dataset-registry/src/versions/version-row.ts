import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { DatasetApprovedSchema, VersionInfoSchema } from '@labelloop/contracts';
import { iterateBatches, SqlNodeStore } from '@labelloop/merkle-dataset';
import type { EntityManager } from '@labelloop/persistence';
import { datasetRecords } from '../repositories/dataset-record.repository';
import type { VersionRow } from '../repositories/dataset-version.repository';
import { HASH_SCHEME, ItemRecord } from './content-address';

export type { StoredLineage, VersionRow } from '../repositories/dataset-version.repository';

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
    qa: {
      items: BigInt(v.qa.items ?? v.item_count),
      meanConfidence: v.qa.meanConfidence ?? 0,
      meanAgreement: v.qa.meanAgreement ?? 0,
      auditItems: BigInt(v.qa.auditItems ?? 0),
    },
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

/** The records of the trie at `root`, in trie order, in batches of up to 5000. */
export async function* versionRecords(em: EntityManager, root: string | null): AsyncGenerator<ItemRecord[]> {
  const store = new SqlNodeStore(em);
  let pending: { itemId: string; recordHash: string }[] = [];
  const flush = async () => {
    const byHash = await datasetRecords.byHash(em, [...new Set(pending.map((e) => e.recordHash))]);
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
