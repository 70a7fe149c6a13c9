import { Inject, Injectable } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { DatasetApprovedSchema, Topics } from '@labelloop/contracts';
import { applyChanges, count, diff, DiffResult, SqlNodeStore } from '@labelloop/merkle-dataset';
import type { Outbox } from '@labelloop/messaging';
import type { Metrics } from '@labelloop/observability';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, LOGGER, METRICS, OUTBOX } from '@labelloop/runtime';
import { writeExport } from '../exports/exporter';
import { EXPORT_SINK, ExportSink } from '../exports/sink';
import type { RegistryConfig } from '../registry.config';
import { evaluateGates, GateInput } from './gates';
import { lockDataset } from './item-writer';
import { approvedMessage, categoriesOf, StoredLineage, VersionRow, versionRecords } from './version-row';

/** Why a cut happened. */
export type CutReason = 'count' | 'interval' | 'request';

/** Outcome of a cut. */
export interface CutResult {
  /** False when nothing changed, or the content equals an existing version (returned instead). */
  created: boolean;
  version?: VersionRow;
}

interface PendingRow {
  item_id: string;
  record_hash: string;
  source_event_id: string;
  label_event_id: string | null;
}

const LINEAGE_FACETS = ['guideline', 'model', 'trigger', 'strategy', 'qa_policy', 'annotator'];

/**
 * Cuts dataset versions. Version N+1 is the trie of version N with the items changed since
 * (the `pending` rows) applied: only their paths are rewritten, every other node is shared,
 * so the cost is proportional to the changes, not the dataset. The new trie nodes, the
 * version row (approved or rejected, with reasons and lineage) and, when approved, the
 * DatasetApproved event commit in the caller's transaction: a crash can neither lose the
 * announcement nor make it twice (its event id is derived from the version id).
 */
@Injectable()
export class VersionCutter {
  private readonly versions: Counter<'status' | 'reason'>;
  private readonly seconds: Histogram<'phase'>;

  constructor(
    @Inject(CONFIG) private readonly config: RegistryConfig,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(EXPORT_SINK) private readonly sink: ExportSink,
    @Inject(LOGGER) private readonly logger: LoggerService,
    @Inject(METRICS) metrics: Metrics,
  ) {
    this.versions = new Counter({ name: 'labelloop_registry_versions_total', help: 'Dataset versions cut, by status and reason', labelNames: ['status', 'reason'], registers: [metrics.registry] });
    this.seconds = new Histogram({
      name: 'labelloop_registry_cut_seconds',
      help: 'Time to cut a version: trie (nodes + row) and export',
      labelNames: ['phase'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [metrics.registry],
    });
  }

  /** Items changed since the last cut. */
  async pendingCount(em: EntityManager, datasetId: string): Promise<number> {
    const [{ n }]: { n: number }[] = await em.query('SELECT count(*)::int AS n FROM dataset_item WHERE dataset_id = $1 AND pending', [datasetId]);
    return n;
  }

  async latest(em: EntityManager, datasetId: string): Promise<VersionRow | undefined> {
    const [v]: VersionRow[] = await em.query('SELECT * FROM dataset_version WHERE dataset_id = $1 ORDER BY number DESC LIMIT 1', [datasetId]);
    return v;
  }

  async cut(em: EntityManager, datasetId: string, reason: CutReason, traceparent?: string): Promise<CutResult> {
    await lockDataset(em, datasetId);
    const t0 = process.hrtime.bigint();
    const [head]: { root_hash: string | null }[] = await em.query('SELECT root_hash FROM dataset_head WHERE dataset_id = $1', [datasetId]);
    const pending: PendingRow[] = await em.query(
      'SELECT item_id, record_hash, source_event_id, label_event_id FROM dataset_item WHERE dataset_id = $1 AND pending',
      [datasetId],
    );
    let changes = pending.map((p) => ({ itemId: p.item_id, recordHash: p.record_hash }));
    const base = head?.root_hash ?? null;
    if (base === null) {
      // No trie yet: either the first cut (every item is pending) or a dataset versioned before
      // tries existed, whose trie is built once from all of its items.
      const [{ n }]: { n: number }[] = await em.query('SELECT count(*)::int AS n FROM dataset_item WHERE dataset_id = $1 AND NOT pending', [datasetId]);
      if (n > 0) {
        const all: { item_id: string; record_hash: string }[] = await em.query('SELECT item_id, record_hash FROM dataset_item WHERE dataset_id = $1', [datasetId]);
        changes = all.map((p) => ({ itemId: p.item_id, recordHash: p.record_hash }));
      }
    }
    if (changes.length === 0) return { created: false, version: await this.latest(em, datasetId) };

    const leaks = await this.findLeaks(em, datasetId);
    const store = new SqlNodeStore(em);
    const root = await applyChanges(store, base, changes);
    await em.query('UPDATE dataset_item SET pending = false WHERE dataset_id = $1 AND pending', [datasetId]);
    await em.query(
      `INSERT INTO dataset_head (dataset_id, root_hash, last_cut_at, first_pending_at) VALUES ($1, $2, now(), NULL)
       ON CONFLICT (dataset_id) DO UPDATE SET root_hash = EXCLUDED.root_hash, last_cut_at = now(), first_pending_at = NULL`,
      [datasetId, root],
    );
    if (root === null) return { created: false };
    const [same]: VersionRow[] = await em.query('SELECT * FROM dataset_version WHERE dataset_id = $1 AND version_id = $2', [datasetId, root]);
    if (same) return { created: false, version: same }; // the changes led back to a known content

    const previous = await this.latest(em, datasetId);
    const [parent]: VersionRow[] = await em.query(`SELECT * FROM dataset_version WHERE dataset_id = $1 AND status = 'approved' ORDER BY number DESC LIMIT 1`, [datasetId]);
    const itemCount = await count(store, root);
    const vsPrevious = await this.changesSince(store, previous, root, itemCount, pending.length);
    const vsParent = parent?.version_id === previous?.version_id ? vsPrevious : await this.changesSince(store, parent, root, itemCount, pending.length);

    const [st]: { items: string; mean_confidence: number | null; mean_agreement: number | null; audit_items: string }[] = await em.query(
      `SELECT items, (sum_confidence / nullif(items, 0))::float8 AS mean_confidence, (sum_agreement / nullif(items, 0))::float8 AS mean_agreement, audit_items
         FROM dataset_stats WHERE dataset_id = $1`,
      [datasetId],
    );
    const qa = { items: Number(st?.items ?? 0), meanConfidence: st?.mean_confidence ?? 0, meanAgreement: st?.mean_agreement ?? 0, auditItems: Number(st?.audit_items ?? 0) };
    if (qa.items !== itemCount) this.logger.error({ msg: 'registry figures out of step with the trie', datasetId, statsItems: qa.items, trieItems: itemCount }, 'VersionCutter');
    const counts: GateInput['counts'] = (
      (await em.query('SELECT split, label, n FROM dataset_class_count WHERE dataset_id = $1 AND n > 0 ORDER BY split, label', [datasetId])) as { split: string; label: string; n: string }[]
    ).map((c) => ({ split: c.split, label: c.label, count: Number(c.n) }));
    const facetRows: { facet: string; value: string; n: string }[] = await em.query('SELECT facet, value, n FROM dataset_facet WHERE dataset_id = $1 AND n > 0 ORDER BY facet, value', [datasetId]);
    const facets: Record<string, Record<string, number>> = {};
    for (const f of facetRows) (facets[f.facet] ??= {})[f.value] = Number(f.n);
    const splitCounts = ['train', 'validation', 'test'].map((s) => ({ split: s, count: facets.split?.[s] ?? 0 }));
    const modelId = Object.entries(facets.model_id ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '';

    const reasons = evaluateGates(
      { qa, counts, leaks },
      {
        minMeanConfidence: this.config.REGISTRY_MIN_MEAN_CONFIDENCE,
        minMeanAgreement: this.config.REGISTRY_MIN_MEAN_AGREEMENT,
        minItemsPerClass: this.config.REGISTRY_MIN_ITEMS_PER_CLASS,
        requiredClasses: this.config.REGISTRY_REQUIRED_CLASSES,
      },
    );
    const status = reasons.length === 0 ? 'approved' : 'rejected';
    const t1 = process.hrtime.bigint();

    const exported =
      status === 'approved'
        ? await writeExport(this.sink, { datasetId, versionId: root, formats: this.config.REGISTRY_EXPORT_FORMATS, categories: categoriesOf({ counts }) }, versionRecords(em, root))
        : undefined;
    const t2 = process.hrtime.bigint();

    const changedIds = vsPrevious.diff ? new Map([...vsPrevious.diff.added.map((e) => [e.itemId, 'added'] as const), ...vsPrevious.diff.changed.map((e) => [e.itemId, 'changed'] as const)]) : undefined;
    const sources = pending.filter((p) => !changedIds || changedIds.has(p.item_id));
    const lineage: StoredLineage = {
      facets: Object.fromEntries(LINEAGE_FACETS.map((f) => [f, facets[f] ?? {}])),
      previous: { added: vsPrevious.added, changed: vsPrevious.changed, removed: vsPrevious.removed },
      sourceEvents: sources.length,
    };
    const [row]: VersionRow[] = await em.query(
      `INSERT INTO dataset_version (version_id, dataset_id, number, parent_version_id, previous_version_id, item_count, new_items, added_items, changed_items, removed_items,
                                    counts, split_counts, qa, export_uri, manifest_sha256, export_files, model_id, model_versions, guideline_versions,
                                    root_hash, status, reasons, cut_reason, lineage)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) RETURNING *`,
      [
        root,
        datasetId,
        (previous?.number ?? 0) + 1,
        parent?.version_id ?? null,
        previous?.version_id ?? null,
        itemCount,
        vsParent.added + vsParent.changed,
        vsParent.added,
        vsParent.changed,
        vsParent.removed,
        JSON.stringify(counts),
        JSON.stringify(splitCounts),
        JSON.stringify(qa),
        exported?.uri ?? '',
        exported?.manifestSha256 ?? '',
        JSON.stringify(exported?.files ?? []),
        modelId,
        Object.keys(facets.model ?? {}).sort(),
        Object.keys(facets.guideline ?? {}).sort(),
        root,
        status,
        reasons,
        reason,
        JSON.stringify(lineage),
      ],
    );
    if (sources.length > 0) {
      await em.query(
        `INSERT INTO dataset_version_source (dataset_id, version_id, item_id, change, source_event_id, label_event_id)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[])`,
        [datasetId, root, sources.map((s) => s.item_id), sources.map((s) => changedIds?.get(s.item_id) ?? 'added'), sources.map((s) => s.source_event_id), sources.map((s) => s.label_event_id)],
      );
    }
    if (exported) {
      await em.query(
        `INSERT INTO dataset_export (dataset_id, version_id, manifest_name, formats, uri, manifest_sha256, files) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (dataset_id, version_id, manifest_name) DO UPDATE SET uri = EXCLUDED.uri, manifest_sha256 = EXCLUDED.manifest_sha256, files = EXCLUDED.files`,
        [datasetId, root, exported.manifestName, exported.files.map((f) => f.format), exported.uri, exported.manifestSha256, JSON.stringify(exported.files)],
      );
      await this.outbox.emit(em, {
        topic: Topics.datasetApproved,
        key: datasetId,
        schema: DatasetApprovedSchema,
        id: `dataset-approved:${datasetId}:${root}`,
        traceparent,
        message: approvedMessage(row),
      });
    }
    await em.query('DELETE FROM dataset_leak WHERE dataset_id = $1', [datasetId]);
    if (leaks.length > 0) {
      await em.query('INSERT INTO dataset_leak (dataset_id, group_key) SELECT $1, unnest($2::text[])', [datasetId, leaks.map((l) => l.groupKey)]);
    }
    this.versions.inc({ status, reason });
    this.seconds.observe({ phase: 'trie' }, Number(t1 - t0) / 1e9);
    if (exported) this.seconds.observe({ phase: 'export' }, Number(t2 - t1) / 1e9);
    this.logger.log(
      { msg: `dataset version ${status}`, datasetId, versionId: root, number: row.number, items: itemCount, changes: changes.length, reason, reasons, trieMs: Number(t1 - t0) / 1e6, exportMs: Number(t2 - t1) / 1e6 },
      'VersionCutter',
    );
    return { created: true, version: row };
  }

  /** Added / changed / removed items between a version and `root` (exact when both are tries). */
  private async changesSince(
    store: SqlNodeStore,
    v: VersionRow | undefined,
    root: string,
    itemCount: number,
    pendingCount: number,
  ): Promise<{ added: number; changed: number; removed: number; diff?: DiffResult }> {
    if (!v) return { added: itemCount, changed: 0, removed: 0 };
    // A version from before tries: no trie to compare with; count the pending items as new.
    if (!v.root_hash) return { added: pendingCount, changed: 0, removed: 0 };
    const d = await diff(store, v.root_hash, root);
    return { added: d.added.length, changed: d.changed.length, removed: d.removed.length, diff: d };
  }

  /**
   * Groups with items in more than one split, among the groups of the changed items and the
   * groups that leaked before (a version is clean when its parent was and no change leaks).
   */
  private async findLeaks(em: EntityManager, datasetId: string): Promise<GateInput['leaks']> {
    const rows: { group_key: string; splits: string[]; items: string[] }[] = await em.query(
      `WITH g AS (SELECT group_key FROM dataset_item WHERE dataset_id = $1 AND pending
                  UNION SELECT group_key FROM dataset_leak WHERE dataset_id = $1)
       SELECT i.group_key, array_agg(DISTINCT i.split ORDER BY i.split) AS splits, (array_agg(i.item_id ORDER BY i.item_id))[1:5] AS items
         FROM dataset_item i JOIN g ON g.group_key = i.group_key
        WHERE i.dataset_id = $1
        GROUP BY i.group_key HAVING count(DISTINCT i.split) > 1
        ORDER BY i.group_key LIMIT 1000`,
      [datasetId],
    );
    return rows.map((r) => ({ groupKey: r.group_key, splits: r.splits, items: r.items }));
  }
}
