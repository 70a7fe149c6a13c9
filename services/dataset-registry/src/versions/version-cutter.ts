import { Inject, Injectable } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { DatasetApprovedSchema, Topics } from '@labelloop/contracts';
import { applyChanges, count, diff, SqlNodeStore } from '@labelloop/merkle-dataset';
import type { Outbox } from '@labelloop/messaging';
import type { Metrics } from '@labelloop/observability';
import type { DataSource, EntityManager } from '@labelloop/persistence';
import { CONFIG, LOGGER, METRICS, OUTBOX } from '@labelloop/runtime';
import { writeExport } from '../exports/exporter';
import { EXPORT_SINK, ExportSink } from '../exports/sink';
import type { RegistryConfig } from '../registry.config';
import { datasetClassCounts } from '../repositories/dataset-class-count.repository';
import { datasetExports } from '../repositories/dataset-export.repository';
import { datasetFacets } from '../repositories/dataset-facet.repository';
import { datasetHeads } from '../repositories/dataset-head.repository';
import { datasetItems } from '../repositories/dataset-item.repository';
import { datasetLeaks } from '../repositories/dataset-leak.repository';
import { datasetStats } from '../repositories/dataset-stats.repository';
import { datasetVersionSources } from '../repositories/dataset-version-source.repository';
import { datasetVersions } from '../repositories/dataset-version.repository';
import { ChangeCounts, changesWithoutDiff, CutReason, draftVersion, trieChanges, versionSources } from './cut-plan';
import { evaluateGates } from './gates';
import { approvedMessage, categoriesOf, VersionRow, versionRecords } from './version-row';

export type { CutReason } from './cut-plan';

/** Outcome of a cut. */
export interface CutResult {
  /** False when nothing changed, or the content equals an existing version (returned instead). */
  created: boolean;
  version?: VersionRow;
}

/**
 * Cuts dataset versions. Version N+1 is the trie of version N with the items changed since
 * (the `pending` rows) applied: only their paths are rewritten, every other node is shared,
 * so the cost is proportional to the changes, not the dataset. The new trie nodes and the
 * version row (approved or rejected, with reasons and lineage) commit in the caller's
 * transaction, under the dataset's lock. An approved version is then exported and announced
 * by `publish`, after that transaction committed, so a slow or failed upload holds no lock
 * and loses no version; DatasetApproved is written once, with the export, and its event id
 * is derived from the version id.
 */
@Injectable()
export class VersionCutter {
  private readonly versions: Counter<'status' | 'reason'>;
  private readonly seconds: Histogram<'phase'>;
  /** Traceparents of cuts whose announcement is not written yet (dataset, version → traceparent). */
  private readonly traces = new Map<string, string>();

  constructor(
    @Inject(CONFIG) private readonly config: RegistryConfig,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(EXPORT_SINK) private readonly sink: ExportSink,
    @Inject(LOGGER) private readonly logger: LoggerService,
    @Inject(METRICS) metrics: Metrics,
  ) {
    this.versions = new Counter({
      name: 'labelloop_registry_versions_total',
      help: 'Dataset versions cut, by status and reason',
      labelNames: ['status', 'reason'],
      registers: [metrics.registry],
    });
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
    return datasetItems.pendingCount(em, datasetId);
  }

  async latest(em: EntityManager, datasetId: string): Promise<VersionRow | undefined> {
    return datasetVersions.latest(em, datasetId);
  }

  async cut(em: EntityManager, datasetId: string, reason: CutReason, traceparent?: string): Promise<CutResult> {
    await datasetHeads.lock(em, datasetId);
    const t0 = process.hrtime.bigint();
    const base = await datasetHeads.root(em, datasetId);
    const pending = await datasetItems.pending(em, datasetId);
    // No trie yet and items already cut: a dataset versioned before tries, whose trie is built once from all of its items.
    const legacy = base === null && (await datasetItems.settledCount(em, datasetId)) > 0;
    const changes = trieChanges(pending, legacy ? await datasetItems.entries(em, datasetId) : undefined);
    if (changes.length === 0) return { created: false, version: await this.latest(em, datasetId) };

    const leaks = await datasetLeaks.find(em, datasetId);
    const store = new SqlNodeStore(em);
    const root = await applyChanges(store, base, changes);
    await datasetItems.clearPending(em, datasetId);
    await datasetHeads.recordCut(em, datasetId, root);
    if (root === null) return { created: false };
    const same = await datasetVersions.get(em, datasetId, root);
    if (same) return { created: false, version: same }; // the changes led back to a known content

    const previous = await this.latest(em, datasetId);
    const parent = await datasetVersions.latestApproved(em, datasetId);
    const itemCount = await count(store, root);
    const vsPrevious = await this.changesSince(store, previous, root, itemCount, pending.length);
    const vsParent = parent?.version_id === previous?.version_id ? vsPrevious : await this.changesSince(store, parent, root, itemCount, pending.length);

    const qa = await datasetStats.qa(em, datasetId);
    if (qa.items !== itemCount)
      this.logger.error({ msg: 'registry figures out of step with the trie', datasetId, statsItems: qa.items, trieItems: itemCount }, 'VersionCutter');
    const counts = await datasetClassCounts.of(em, datasetId);
    const facets = await datasetFacets.of(em, datasetId);
    const reasons = evaluateGates(
      { qa, counts, leaks },
      {
        minMeanConfidence: this.config.REGISTRY_MIN_MEAN_CONFIDENCE,
        minMeanAgreement: this.config.REGISTRY_MIN_MEAN_AGREEMENT,
        minItemsPerClass: this.config.REGISTRY_MIN_ITEMS_PER_CLASS,
        requiredClasses: this.config.REGISTRY_REQUIRED_CLASSES,
      },
    );
    const sources = versionSources(pending, vsPrevious);
    const row = await datasetVersions.insert(
      em,
      draftVersion({ datasetId, root, reason, previous, parent, itemCount, vsPrevious, vsParent, qa, counts, facets, sources: sources.length, reasons }),
    );
    await datasetVersionSources.insertMany(em, datasetId, root, sources);
    await datasetLeaks.replace(
      em,
      datasetId,
      leaks.map((l) => l.groupKey),
    );
    if (row.status === 'approved' && traceparent) this.rememberTrace(datasetId, root, traceparent);
    const t1 = process.hrtime.bigint();
    this.versions.inc({ status: row.status, reason });
    this.seconds.observe({ phase: 'trie' }, Number(t1 - t0) / 1e9);
    this.logger.log(
      {
        msg: `dataset version ${row.status}`,
        datasetId,
        versionId: root,
        number: row.number,
        items: itemCount,
        changes: changes.length,
        reason,
        reasons,
        trieMs: Number(t1 - t0) / 1e6,
      },
      'VersionCutter',
    );
    return { created: true, version: row };
  }

  /**
   * Exports an approved version and announces it (DatasetApproved), after the cut committed:
   * the upload holds no lock and no transaction. The export's bytes depend on the version
   * only, so a retry (after a failed upload, a crash, or by another replica) writes the same
   * files; the version row records the export and the announcement is written to the outbox
   * in one short transaction, once (the first to record it wins, the others find it done).
   * Returns the version row as it now is; throws when the upload fails (the version stays,
   * unexported and unannounced, for the next `publishPending`).
   */
  async publish(ds: DataSource, datasetId: string, versionId: string): Promise<VersionRow | undefined> {
    const v = await datasetVersions.get(ds.manager, datasetId, versionId);
    if (!v?.root_hash || v.status !== 'approved' || v.export_uri !== '') return v;
    const t0 = process.hrtime.bigint();
    const formats = this.config.REGISTRY_EXPORT_FORMATS;
    const exported = await writeExport(this.sink, { datasetId, versionId, formats, categories: categoriesOf(v) }, versionRecords(ds.manager, v.root_hash));
    const t1 = process.hrtime.bigint();
    const key = `${datasetId}\u0000${versionId}`;
    const row = await ds.transaction(async (em) => {
      const updated = await datasetVersions.recordExport(em, datasetId, versionId, exported);
      if (!updated) return datasetVersions.get(em, datasetId, versionId);
      await datasetExports.upsert(
        em,
        datasetId,
        versionId,
        exported.files.map((f) => f.format),
        exported,
      );
      await this.outbox.emit(em, {
        topic: Topics.datasetApproved,
        key: datasetId,
        schema: DatasetApprovedSchema,
        id: `dataset-approved:${datasetId}:${versionId}`,
        traceparent: this.traces.get(key),
        message: approvedMessage(updated),
      });
      return updated;
    });
    this.traces.delete(key);
    this.seconds.observe({ phase: 'export' }, Number(t1 - t0) / 1e9);
    this.logger.log({ msg: 'dataset version exported', datasetId, versionId, uri: exported.uri, exportMs: Number(t1 - t0) / 1e6 }, 'VersionCutter');
    return row;
  }

  /**
   * Publishes every approved version left unexported (cut in a consumer's transaction, or
   * whose upload failed), of one dataset or of all, oldest first. A failed upload is logged
   * and left for the next call; returns how many failed.
   */
  async publishPending(ds: DataSource, datasetId?: string): Promise<number> {
    let failed = 0;
    for (const v of await datasetVersions.unexported(ds.manager, datasetId)) {
      try {
        await this.publish(ds, v.dataset_id, v.version_id);
      } catch (e) {
        failed++;
        this.logger.warn({ msg: 'export failed, will retry', datasetId: v.dataset_id, versionId: v.version_id, error: (e as Error).message }, 'VersionCutter');
      }
    }
    return failed;
  }

  /** The traceparent of the event that caused a cut, for its announcement (in memory, best effort: after a restart the announcement starts a new trace). */
  private rememberTrace(datasetId: string, versionId: string, traceparent: string): void {
    if (this.traces.size >= 10_000) this.traces.delete(this.traces.keys().next().value as string);
    this.traces.set(`${datasetId}\u0000${versionId}`, traceparent);
  }

  /** Added / changed / removed items between a version and `root` (exact when both are tries). */
  private async changesSince(store: SqlNodeStore, v: VersionRow | undefined, root: string, itemCount: number, pendingCount: number): Promise<ChangeCounts> {
    const known = changesWithoutDiff(v, itemCount, pendingCount);
    if (!('diffFrom' in known)) return known;
    const d = await diff(store, known.diffFrom, root);
    return { added: d.added.length, changed: d.changed.length, removed: d.removed.length, diff: d };
  }
}
