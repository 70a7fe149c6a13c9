import { Inject, Injectable } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AddTagRequest,
  CutVersionRequest,
  DatasetRegistryService,
  DiffVersionsRequest,
  ExportVersionRequest,
  FeatureVectorSchema,
  GetLineageRequest,
  GetVersionRequest,
  ListAliasesRequest,
  ListItemsRequest,
  ListTrainingsRequest,
  ListVersionsRequest,
  RecordTrainingRequest,
  RemoveTagRequest,
  SetAliasRequest,
} from '@labelloop/contracts';
import { diff, iterateBatches, keyOf, SqlNodeStore } from '@labelloop/merkle-dataset';
import type { DataSource, EntityManager } from '@labelloop/persistence';
import { authorize, failedPrecondition, invalidArgument, notFound, Principal, Role, RpcContext, RpcError, ServiceImpl, status } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import { normaliseFormats, writeExport } from '../exports/exporter';
import { EXPORT_SINK, ExportSink } from '../exports/sink';
import { datasetAliasHistory } from '../repositories/dataset-alias-history.repository';
import { datasetAliases } from '../repositories/dataset-alias.repository';
import { datasetExports } from '../repositories/dataset-export.repository';
import { datasetItems } from '../repositories/dataset-item.repository';
import { datasetRecords } from '../repositories/dataset-record.repository';
import { datasetTags } from '../repositories/dataset-tag.repository';
import { datasetVersionItems } from '../repositories/dataset-version-item.repository';
import { datasetVersionSources } from '../repositories/dataset-version-source.repository';
import { datasetVersions } from '../repositories/dataset-version.repository';
import { modelTrainings, TrainingRow } from '../repositories/model-training.repository';
import { labelKeyOf } from './content-address';
import { openLineageEvent } from './lineage';
import { VersionCutter } from './version-cutter';
import { approvedMessage, categoriesOf, VersionRow, versionInfo, versionRecords } from './version-row';

const READ: Role[] = ['service', 'reviewer'];
const WRITE: Role[] = ['service'];
const ALIAS = /^[a-z][a-z0-9_.-]{0,62}$/;
const MAX_ITEMS = 100_000;
const MAX_ITEM_PAGE = 5000;
const SPLITS = new Set(['train', 'validation', 'test']);

const trainingProto = (t: TrainingRow) => ({
  modelId: t.model_id,
  modelVersion: t.model_version,
  datasetId: t.dataset_id,
  datasetVersionId: t.dataset_version_id,
  source: t.source,
  stage: t.stage,
  recordedAt: timestampFromDate(new Date(t.recorded_at)),
});

const canSee = (p: Principal, datasetId: string) => p.projects.includes('*') || p.projects.includes(datasetId);

/**
 * DatasetRegistryService: list, read, diff, lineage, export and cut versions; tags and
 * movable aliases (with history; moving back is a rollback); model ↔ dataset version links.
 */
@Injectable()
export class RegistryGrpc implements ServiceImpl<(typeof DatasetRegistryService)['method']> {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly cutter: VersionCutter,
    @Inject(EXPORT_SINK) private readonly sink: ExportSink,
  ) {}

  /** Reads outside a transaction. */
  private get em(): EntityManager {
    return this.ds.manager;
  }

  /** A version by id (or, within a dataset, by alias), checked against the caller's access. */
  private async version(datasetId: string, ref: string, ctx: RpcContext, roles: Role[], field = 'version_id'): Promise<VersionRow> {
    if (!ref) throw invalidArgument(field, 'is required');
    const some = (v: VersionRow | undefined) => (v ? [v] : []);
    let rows = datasetId ? some(await datasetVersions.get(this.em, datasetId, ref)) : await datasetVersions.anyDataset(this.em, ref);
    if (rows.length === 0 && datasetId && ALIAS.test(ref)) rows = some(await datasetVersions.byAlias(this.em, datasetId, ref));
    if (rows.length > 1) throw invalidArgument('dataset_id', `is required: version ${ref} exists in several datasets`);
    if (rows.length === 0) throw notFound(`version ${ref}${datasetId ? ` of dataset ${datasetId}` : ''}`);
    authorize(ctx.principal, roles, rows[0].dataset_id);
    return rows[0];
  }

  private async labels(datasetId: string): Promise<{ tags: Map<string, string[]>; aliases: Map<string, string[]> }> {
    const tags = new Map<string, string[]>();
    const aliases = new Map<string, string[]>();
    for (const t of await datasetTags.ofDataset(this.em, datasetId)) {
      tags.set(t.version_id, [...(tags.get(t.version_id) ?? []), t.tag]);
    }
    for (const a of await datasetAliases.ofDataset(this.em, datasetId)) {
      aliases.set(a.version_id, [...(aliases.get(a.version_id) ?? []), a.alias]);
    }
    return { tags, aliases };
  }

  private async info(v: VersionRow) {
    const { tags, aliases } = await this.labels(v.dataset_id);
    return versionInfo(v, tags.get(v.version_id) ?? [], aliases.get(v.version_id) ?? []);
  }

  async listVersions(req: ListVersionsRequest, ctx: RpcContext) {
    if (!req.datasetId) throw invalidArgument('dataset_id', 'is required');
    authorize(ctx.principal, READ, req.datasetId);
    const rows = await datasetVersions.list(this.em, req.datasetId);
    const { tags, aliases } = await this.labels(req.datasetId);
    return {
      // Approved and announced: an approved version is listed here once its export is published.
      versions: rows.filter((r) => r.status === 'approved' && r.export_uri !== '').map(approvedMessage),
      infos: rows.map((r) => versionInfo(r, tags.get(r.version_id) ?? [], aliases.get(r.version_id) ?? [])),
    };
  }

  async getVersion(req: GetVersionRequest, ctx: RpcContext) {
    const row = await this.version(req.datasetId, req.versionId, ctx, READ);
    const pageSize = Math.min(req.pageSize || MAX_ITEMS, MAX_ITEMS);
    const itemIds: string[] = [];
    let nextPageToken = '';
    if (row.root_hash) {
      if (req.pageToken && !/^[0-9a-f]{64}$/.test(req.pageToken)) throw invalidArgument('page_token', 'is not a token from this API');
      const afterKey = req.pageToken ? Buffer.from(req.pageToken, 'hex') : undefined;
      outer: for await (const batch of iterateBatches(new SqlNodeStore(this.ds), row.root_hash, { afterKey })) {
        for (const e of batch) {
          if (itemIds.length === pageSize) {
            nextPageToken = keyOf(itemIds[itemIds.length - 1]).toString('hex');
            break outer;
          }
          itemIds.push(e.itemId);
        }
      }
    } else {
      // A version cut before tries: its membership rows.
      itemIds.push(...(await datasetVersionItems.itemIds(this.em, row.dataset_id, row.version_id)));
    }
    return { version: approvedMessage(row), itemIds, info: await this.info(row), nextPageToken };
  }

  async listItems(req: ListItemsRequest, ctx: RpcContext) {
    if (req.pageSize > MAX_ITEM_PAGE) throw invalidArgument('page_size', `is at most ${MAX_ITEM_PAGE}`);
    if (req.split && !SPLITS.has(req.split)) throw invalidArgument('split', `must be one of ${[...SPLITS].join(', ')}`);
    if (req.pageToken && !/^[0-9a-f]{64}$/.test(req.pageToken)) throw invalidArgument('page_token', 'is not a token from this API');
    const row = await this.version(req.datasetId, req.versionId, ctx, READ);
    if (!row.root_hash) throw failedPrecondition('versions cut before the Merkle trie have no item records to list');
    const pageSize = req.pageSize || 1000;
    const afterKey = req.pageToken ? Buffer.from(req.pageToken, 'hex') : undefined;
    const items = [];
    let nextPageToken = '';
    // Records come from the version itself (its labels and splits as cut); the model inputs
    // from the item, which keeps the features it was predicted on (they do not change).
    outer: for await (const batch of iterateBatches(new SqlNodeStore(this.ds), row.root_hash, { afterKey })) {
      const records = await datasetRecords.byHash(this.em, [...new Set(batch.map((e) => e.recordHash))]);
      const extra = await datasetItems.modelInputs(
        this.em,
        row.dataset_id,
        batch.map((e) => e.itemId),
      );
      const byId = new Map(extra.map((x) => [x.item_id, x]));
      for (const e of batch) {
        const r = records.get(e.recordHash);
        if (!r) throw new Error(`record ${e.recordHash} of ${e.itemId} is missing`);
        if (req.split && r.split !== req.split) continue;
        if (items.length === pageSize) {
          nextPageToken = keyOf(items[items.length - 1].itemId).toString('hex');
          break outer;
        }
        const x = byId.get(e.itemId);
        items.push({
          itemId: r.itemId,
          contentHash: r.contentHash,
          inputUri: r.inputUri,
          label: r.label,
          split: r.split,
          modelVersion: x?.model_version ?? '',
          features: x?.features ? fromBinary(FeatureVectorSchema, x.features) : undefined,
        });
      }
    }
    return { items, nextPageToken };
  }

  async diffVersions(req: DiffVersionsRequest, ctx: RpcContext) {
    const a = await this.version(req.datasetId, req.fromVersionId, ctx, READ, 'from_version_id');
    const b = await this.version(req.datasetId || a.dataset_id, req.toVersionId, ctx, READ, 'to_version_id');
    if (a.dataset_id !== b.dataset_id) throw invalidArgument('to_version_id', 'must be a version of the same dataset');
    if (!a.root_hash || !b.root_hash) throw failedPrecondition('versions cut before the Merkle trie cannot be diffed');
    const max = Math.min(req.maxItems || MAX_ITEMS, MAX_ITEMS);
    const d = await diff(new SqlNodeStore(this.ds), a.root_hash, b.root_hash);
    const records = await datasetRecords.byHash(this.em, [...new Set(d.changed.flatMap((c) => [c.before, c.after]))]);
    const relabelled: { itemId: string; fromLabel: string; toLabel: string }[] = [];
    const changed: string[] = [];
    for (const c of d.changed) {
      const before = records.get(c.before);
      const after = records.get(c.after);
      if (!before || !after) throw new Error(`record of ${c.itemId} is missing`);
      if (labelKeyOf(before) !== labelKeyOf(after)) {
        relabelled.push({ itemId: c.itemId, fromLabel: before.label, toLabel: after.label });
      } else changed.push(c.itemId);
    }
    const key = (c: { split: string; label: string }) => `${c.split}\u0000${c.label}`;
    const from = new Map(a.counts.map((c) => [key(c), c.count]));
    const to = new Map(b.counts.map((c) => [key(c), c.count]));
    const classCounts = [...new Set([...from.keys(), ...to.keys()])].sort().map((k) => {
      const [split, label] = k.split('\u0000');
      const f = from.get(k) ?? 0;
      const t = to.get(k) ?? 0;
      return { split, label, fromCount: BigInt(f), toCount: BigInt(t), delta: BigInt(t - f) };
    });
    const truncated = [d.added, d.removed, relabelled, changed].some((l) => l.length > max);
    return {
      added: d.added.slice(0, max).map((e) => e.itemId),
      removed: d.removed.slice(0, max).map((e) => e.itemId),
      relabelled: relabelled.slice(0, max),
      changed: changed.slice(0, max),
      classCounts,
      addedCount: BigInt(d.added.length),
      removedCount: BigInt(d.removed.length),
      relabelledCount: BigInt(relabelled.length),
      changedCount: BigInt(changed.length),
      truncated,
    };
  }

  async getLineage(req: GetLineageRequest, ctx: RpcContext) {
    const v = await this.version(req.datasetId, req.versionId, ctx, READ);
    const sources = await datasetVersionSources.of(this.em, v.dataset_id, v.version_id);
    const trainings = await modelTrainings.ofVersion(this.em, v.version_id);
    const f = v.lineage.facets ?? {};
    const counts = (m: Record<string, number> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, n]) => [k, BigInt(n)]));
    const sourceEventIds = sources.map((s) => s.source_event_id);
    const labelEventIds = sources.map((s) => s.label_event_id).filter((x): x is string => !!x);
    const ol = openLineageEvent(v, {
      sourceEventIds,
      labelEventIds,
      trainings: trainings.map((t) => ({ modelId: t.model_id, modelVersion: t.model_version })),
    });
    const msg = approvedMessage(v);
    return {
      lineage: {
        datasetId: v.dataset_id,
        versionId: v.version_id,
        versionNumber: BigInt(v.number),
        previousVersionId: v.previous_version_id ?? '',
        parentVersionId: v.parent_version_id ?? '',
        guidelineVersions: counts(f.guideline),
        modelVersions: counts(f.model),
        triggers: counts(f.trigger),
        strategies: counts(f.strategy),
        qaPolicyVersions: counts(f.qa_policy),
        annotators: counts(f.annotator),
        qa: msg.qa,
        counts: msg.counts,
        sourceEventIds,
        labelEventIds,
        addedItems: BigInt(v.lineage.previous?.added ?? v.added_items),
        changedItems: BigInt(v.lineage.previous?.changed ?? v.changed_items),
        removedItems: BigInt(v.lineage.previous?.removed ?? v.removed_items),
        cutReason: v.cut_reason,
        status: v.status,
        reasons: v.reasons,
        trainings: trainings.map(trainingProto),
        createdAt: timestampFromDate(new Date(v.created_at)),
      },
      openlineageJson: JSON.stringify(ol),
    };
  }

  async exportVersion(req: ExportVersionRequest, ctx: RpcContext) {
    const v = await this.version(req.datasetId, req.versionId, ctx, READ);
    if (!v.root_hash) throw failedPrecondition('versions cut before the Merkle trie cannot be exported again');
    let formats;
    try {
      formats = normaliseFormats(req.formats);
    } catch (e) {
      throw invalidArgument('formats', (e as Error).message);
    }
    const r = await writeExport(
      this.sink,
      { datasetId: v.dataset_id, versionId: v.version_id, formats, categories: categoriesOf(v) },
      versionRecords(this.em, v.root_hash),
    );
    await datasetExports.upsert(this.em, v.dataset_id, v.version_id, formats, r);
    return {
      exportUri: r.uri,
      manifestSha256: r.manifestSha256,
      manifestName: r.manifestName,
      files: r.files.map((f) => ({ name: f.name, format: f.format, sha256: f.sha256, bytes: BigInt(f.bytes), records: BigInt(f.records) })),
    };
  }

  async cutVersion(req: CutVersionRequest, ctx: RpcContext) {
    if (!req.datasetId) throw invalidArgument('dataset_id', 'is required');
    authorize(ctx.principal, WRITE, req.datasetId);
    const r = await this.ds.transaction((em) => this.cutter.cut(em, req.datasetId, 'request', undefined));
    if (!r.version) throw failedPrecondition(`dataset ${req.datasetId} has no items to version`);
    // After the cut committed: export and announce it, and any earlier version left unexported.
    if ((await this.cutter.publishPending(this.ds, req.datasetId)) > 0) {
      throw new RpcError(status.UNAVAILABLE, `the export of dataset ${req.datasetId} failed; the version is kept: retry to export it`);
    }
    const version = (await datasetVersions.get(this.em, req.datasetId, r.version.version_id)) ?? r.version;
    return { version: await this.info(version), created: r.created };
  }

  async addTag(req: AddTagRequest, ctx: RpcContext) {
    if (!req.tag || req.tag.length > 200) throw invalidArgument('tag', 'must be 1 to 200 characters');
    const v = await this.version(req.datasetId, req.versionId, ctx, ['service', 'reviewer']);
    const who = (ctx.principal as Principal).subject;
    await datasetTags.add(this.em, v.dataset_id, v.version_id, req.tag, who);
    return { tags: await datasetTags.ofVersion(this.em, v.dataset_id, v.version_id) };
  }

  async removeTag(req: RemoveTagRequest, ctx: RpcContext) {
    const v = await this.version(req.datasetId, req.versionId, ctx, ['service', 'reviewer']);
    await datasetTags.remove(this.em, v.dataset_id, v.version_id, req.tag);
    return { tags: await datasetTags.ofVersion(this.em, v.dataset_id, v.version_id) };
  }

  private async alias(datasetId: string, alias: string) {
    const a = await datasetAliases.get(this.em, datasetId, alias);
    if (!a) return undefined;
    const history = await datasetAliasHistory.of(this.em, datasetId, alias);
    return {
      datasetId,
      alias,
      versionId: a.version_id,
      updatedAt: timestampFromDate(new Date(a.updated_at)),
      history: history.map((h) => ({
        versionId: h.version_id,
        previousVersionId: h.previous_version_id ?? '',
        action: h.action,
        movedBy: h.moved_by,
        movedAt: timestampFromDate(new Date(h.moved_at)),
      })),
    };
  }

  async setAlias(req: SetAliasRequest, ctx: RpcContext) {
    if (!req.datasetId) throw invalidArgument('dataset_id', 'is required');
    if (!ALIAS.test(req.alias)) throw invalidArgument('alias', 'must match [a-z][a-z0-9_.-]* (e.g. candidate, production)');
    authorize(ctx.principal, WRITE, req.datasetId);
    const v = await datasetVersions.get(this.em, req.datasetId, req.versionId);
    if (!v) throw notFound(`version ${req.versionId} of dataset ${req.datasetId}`);
    if (v.status !== 'approved') throw failedPrecondition(`version ${req.versionId} was rejected: ${v.reasons.join('; ')}`);
    const who = (ctx.principal as Principal).subject;
    const rollback = await this.ds.transaction(async (em) => {
      await datasetAliases.lock(em, req.datasetId, req.alias);
      const cur = await datasetAliases.get(em, req.datasetId, req.alias);
      if (cur?.version_id === req.versionId) return false;
      const before = await datasetAliasHistory.pointedTo(em, req.datasetId, req.alias, req.versionId);
      const action = !cur ? 'set' : before ? 'rollback' : 'move';
      await datasetAliases.set(em, req.datasetId, req.alias, req.versionId);
      await datasetAliasHistory.record(em, req.datasetId, req.alias, {
        version_id: req.versionId,
        previous_version_id: cur?.version_id ?? null,
        action,
        moved_by: who,
      });
      return action === 'rollback';
    });
    return { alias: await this.alias(req.datasetId, req.alias), rollback };
  }

  async listAliases(req: ListAliasesRequest, ctx: RpcContext) {
    if (!req.datasetId) throw invalidArgument('dataset_id', 'is required');
    authorize(ctx.principal, READ, req.datasetId);
    const names = await datasetAliases.ofDataset(this.em, req.datasetId);
    const aliases = [];
    for (const n of names) {
      const a = await this.alias(req.datasetId, n.alias);
      if (a) aliases.push(a);
    }
    return { aliases };
  }

  async recordTraining(req: RecordTrainingRequest, ctx: RpcContext) {
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    if (!req.modelVersion) throw invalidArgument('model_version', 'is required');
    const v = await this.version('', req.datasetVersionId, ctx, WRITE, 'dataset_version_id');
    await modelTrainings.recordFromApi(this.em, req.modelId, req.modelVersion, v.version_id, v.dataset_id);
    const t = await modelTrainings.get(this.em, req.modelId, req.modelVersion, v.version_id);
    if (!t) throw new Error(`training ${req.modelId}@${req.modelVersion} on ${v.version_id} vanished after it was recorded`);
    return { training: trainingProto(t) };
  }

  async listTrainings(req: ListTrainingsRequest, ctx: RpcContext) {
    if (!req.modelId && !req.datasetVersionId) throw invalidArgument('model_id', 'or dataset_version_id is required');
    const p = authorize(ctx.principal, READ);
    const rows = await modelTrainings.find(this.em, req);
    return { trainings: rows.filter((r) => !r.dataset_id || canSee(p, r.dataset_id)).map(trainingProto) };
  }
}
