import type { DiffResult } from '@labelloop/merkle-dataset';
import type { PendingItem } from '../repositories/dataset-item.repository';
import type { DatasetQa } from '../repositories/dataset-stats.repository';
import type { VersionSource } from '../repositories/dataset-version-source.repository';
import type { NewVersion, StoredLineage, VersionRow } from '../repositories/dataset-version.repository';
import type { GateInput } from './gates';

/** Lineage facets kept with a version. */
export const LINEAGE_FACETS = ['guideline', 'model', 'trigger', 'strategy', 'qa_policy', 'annotator'];

/** Why a cut happened. */
export type CutReason = 'count' | 'interval' | 'request';

/** Added / changed / removed items between a version and the new root (with the exact diff when both are tries). */
export interface ChangeCounts {
  added: number;
  changed: number;
  removed: number;
  diff?: DiffResult;
}

/**
 * The trie changes of a cut: the pending items; or, for a dataset with a cut but no trie yet
 * (versioned before tries), every item, so that its trie is built once from all of them.
 */
export function trieChanges(pending: PendingItem[], all?: { item_id: string; record_hash: string }[]): { itemId: string; recordHash: string }[] {
  return (all ?? pending).map((p) => ({ itemId: p.item_id, recordHash: p.record_hash }));
}

/**
 * The changes since `previous` when they can be told without a diff (no previous version:
 * every item is added; a previous version from before tries: the pending items count as
 * added), else the trie root to diff against.
 */
export function changesWithoutDiff(previous: VersionRow | undefined, itemCount: number, pendingCount: number): ChangeCounts | { diffFrom: string } {
  if (!previous) return { added: itemCount, changed: 0, removed: 0 };
  if (!previous.root_hash) return { added: pendingCount, changed: 0, removed: 0 };
  return { diffFrom: previous.root_hash };
}

/**
 * The items a version records as its sources: the pending items the diff against the previous
 * version shows as added or changed (a relabel that led back to the previous record is not a
 * change), each with how it changed; every pending item, as added, when there is no diff.
 */
export function versionSources(pending: PendingItem[], vsPrevious: ChangeCounts): VersionSource[] {
  const d = vsPrevious.diff;
  const changed = d ? new Map([...d.added.map((e) => [e.itemId, 'added'] as const), ...d.changed.map((e) => [e.itemId, 'changed'] as const)]) : undefined;
  return pending
    .filter((p) => !changed || changed.has(p.item_id))
    .map((p) => ({ itemId: p.item_id, change: changed?.get(p.item_id) ?? 'added', sourceEventId: p.source_event_id, labelEventId: p.label_event_id }));
}

/** The version row of a cut, from its figures and its gate outcome (an approved version's export is recorded once published). */
export function draftVersion(v: {
  datasetId: string;
  root: string;
  reason: CutReason;
  previous: VersionRow | undefined;
  parent: VersionRow | undefined;
  itemCount: number;
  vsPrevious: ChangeCounts;
  vsParent: ChangeCounts;
  qa: DatasetQa;
  counts: GateInput['counts'];
  facets: Record<string, Record<string, number>>;
  sources: number;
  reasons: string[];
}): NewVersion {
  const { facets } = v;
  const lineage: StoredLineage = {
    facets: Object.fromEntries(LINEAGE_FACETS.map((f) => [f, facets[f] ?? {}])),
    previous: { added: v.vsPrevious.added, changed: v.vsPrevious.changed, removed: v.vsPrevious.removed },
    sourceEvents: v.sources,
  };
  return {
    version_id: v.root,
    dataset_id: v.datasetId,
    number: (v.previous?.number ?? 0) + 1,
    parent_version_id: v.parent?.version_id ?? null,
    previous_version_id: v.previous?.version_id ?? null,
    item_count: v.itemCount,
    new_items: v.vsParent.added + v.vsParent.changed,
    added_items: v.vsParent.added,
    changed_items: v.vsParent.changed,
    removed_items: v.vsParent.removed,
    counts: v.counts,
    split_counts: ['train', 'validation', 'test'].map((s) => ({ split: s, count: facets.split?.[s] ?? 0 })),
    qa: v.qa,
    export_uri: '',
    manifest_sha256: '',
    export_files: [],
    // The model most items were predicted by (ties: the smallest id).
    model_id: Object.entries(facets.model_id ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '',
    model_versions: Object.keys(facets.model ?? {}).sort(),
    guideline_versions: Object.keys(facets.guideline ?? {}).sort(),
    status: v.reasons.length === 0 ? 'approved' : 'rejected',
    reasons: v.reasons,
    cut_reason: v.reason,
    lineage,
  };
}
