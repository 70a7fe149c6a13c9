import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  DriftService,
  GetDriftConfigRequest,
  GetDriftStatusRequest,
  ListWindowStatisticsRequest,
  ResetReferenceRequest,
  SetReferenceFromDatasetRequest,
  SetReferenceRequest,
  UpsertDriftConfigRequest,
  validatePredictionEvent,
} from '@labelloop/contracts';
import { appendAudit, DataSource, modelOwners } from '@labelloop/persistence';
import { authorize, authorizeModels, claimless, failedPrecondition, invalidArgument, notFound, Principal, Role, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import { configToProto, DriftConfigError, MAX_EVENTS, MIN_REFERENCE } from './drift-config';
import { emptyState, pinnedState, referenceSource, withoutOutputs } from './detector';
import { toSnap } from './prediction.consumer';
import { datasetSource, RegistryReader } from './registry-reader';
import type { Snap } from './snapshot';
import { StateRepository } from './state.repository';
import { windowStatsToProto } from './window-stats';
import { WindowStatsRepository } from './window-stats.repository';

const OPERATE: Role[] = ['service', 'admin'];
/** Most windows one ListWindowStatistics call returns. */
const MAX_WINDOWS = 1000;

/** DriftService: drift state, per-model configuration and reference management; every call is checked against the model's owning project. */
@Injectable()
export class DriftGrpc implements ServiceImpl<(typeof DriftService)['method']> {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly repo: StateRepository,
    private readonly registry: RegistryReader,
    private readonly windows: WindowStatsRepository,
  ) {}

  /** Each tested window's statistics, newest first; authorised as GetDriftStatus is. */
  async listWindowStatistics(req: ListWindowStatisticsRequest, ctx: RpcContext) {
    authorize(ctx.principal, OPERATE);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    if (req.limit > MAX_WINDOWS) throw invalidArgument('limit', `must be at most ${MAX_WINDOWS}, got ${req.limit}`);
    await authorizeModels(ctx.principal, OPERATE, [req.modelId], modelOwners(this.ds));
    const rows = await this.windows.list(this.ds, req.modelId, req.limit || 100);
    return { windows: rows.map(windowStatsToProto) };
  }

  async getDriftStatus(req: GetDriftStatusRequest, ctx: RpcContext) {
    authorize(ctx.principal, OPERATE);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    await authorizeModels(ctx.principal, OPERATE, [req.modelId], modelOwners(this.ds));
    return this.ds.transaction(async (em) => {
      if (!(await this.repo.storedVersion(em, req.modelId))) throw notFound(`model ${req.modelId}`);
      const m = await this.repo.load(em, req.modelId, '');
      const cfg = await this.repo.config(em, req.modelId);
      return {
        modelId: req.modelId,
        drifting: m.openAlert !== null,
        referenceSize: BigInt(m.state.reference.length),
        windowSize: BigInt(m.state.window.length),
        windowsTested: BigInt(m.state.windowsTested),
        openAlert: m.openAlert ? { alertId: m.openAlert, modelId: req.modelId } : undefined,
        config: configToProto(req.modelId, cfg),
        referenceSource: referenceSource(m.state),
      };
    });
  }

  async upsertDriftConfig(req: UpsertDriftConfigRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['admin']);
    if (!req.config?.modelId) throw invalidArgument('config.model_id', 'is required');
    const config = req.config;
    try {
      const resolved = await this.ds.transaction(async (em) => {
        await authorizeModels(ctx.principal, ['admin'], [config.modelId], modelOwners(em), { write: true });
        const r = await this.repo.saveConfig(em, config.modelId, config);
        await appendAudit(em, { actor: actorOf(ctx), action: 'drift.config.updated', subject: config.modelId, detail: { config: { ...r } } });
        return r;
      });
      return { config: configToProto(config.modelId, resolved) };
    } catch (e) {
      if (e instanceof DriftConfigError) throw invalidArgument(`config.${e.field}`, e.problem);
      throw e;
    }
  }

  async getDriftConfig(req: GetDriftConfigRequest, ctx: RpcContext) {
    authorize(ctx.principal, OPERATE);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    await authorizeModels(ctx.principal, OPERATE, [req.modelId], modelOwners(this.ds));
    return { config: configToProto(req.modelId, await this.ds.transaction((em) => this.repo.config(em, req.modelId))) };
  }

  async setReference(req: SetReferenceRequest, ctx: RpcContext) {
    authorize(ctx.principal, OPERATE);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    if (!req.modelVersion) throw invalidArgument('model_version', 'is required');
    if (req.predictions.length < MIN_REFERENCE || req.predictions.length > MAX_EVENTS)
      throw invalidArgument('predictions', `needs ${MIN_REFERENCE} to ${MAX_EVENTS} events`);
    req.predictions.forEach((p, i) => {
      const problem = validatePredictionEvent(p);
      if (problem) throw invalidArgument(`predictions[${i}]`, problem);
    });
    await this.pin(
      ctx,
      req.modelId,
      req.modelVersion,
      req.predictions.map((p) => withoutOutputs(toSnap(p, false))),
      `uploaded (${req.predictions.length} predictions)`,
    );
    return { referenceSize: BigInt(req.predictions.length) };
  }

  async setReferenceFromDataset(req: SetReferenceFromDatasetRequest, ctx: RpcContext) {
    authorize(ctx.principal, OPERATE);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    if (!req.modelVersion) throw invalidArgument('model_version', 'is required');
    if (!req.datasetId) throw invalidArgument('dataset_id', 'is required');
    // The registry is read with this service's token: the caller must be allowed on the dataset's
    // project itself, or drift detection would read for callers the registry would refuse.
    authorize(ctx.principal, OPERATE, req.datasetId);
    if (!req.datasetVersionId) throw invalidArgument('dataset_version_id', 'is required');
    // Before reading the registry for it; the claim itself commits with the pin.
    await authorizeModels(ctx.principal, OPERATE, [req.modelId], claimless(modelOwners(this.ds)), { write: true });
    if (req.maxItems > MAX_EVENTS) throw invalidArgument('max_items', `is at most ${MAX_EVENTS}`);
    const cfg = await this.ds.transaction((em) => this.repo.config(em, req.modelId));
    const maxItems = req.maxItems || cfg.referenceSize;
    const { snaps, withoutFeatures } = await this.registry.reference({ datasetId: req.datasetId, versionId: req.datasetVersionId, split: req.split, maxItems });
    if (snaps.length < MIN_REFERENCE) {
      throw failedPrecondition(
        `dataset ${req.datasetId} version ${req.datasetVersionId}${req.split ? ` (split ${req.split})` : ''} has ${snaps.length} items with features` +
          ` (${withoutFeatures} without); a reference needs at least ${MIN_REFERENCE}`,
      );
    }
    await this.pin(ctx, req.modelId, req.modelVersion, snaps, datasetSource(req.datasetVersionId, req.split), {
      datasetId: req.datasetId,
      datasetVersionId: req.datasetVersionId,
      split: req.split,
    });
    return { referenceSize: BigInt(snaps.length), itemsWithoutFeatures: BigInt(withoutFeatures) };
  }

  /**
   * Replaces the model's reference and starts its windows afresh; a new model version keeps it
   * (pinned). The audit entry names the reference's events and hashes their values.
   */
  private async pin(
    ctx: RpcContext,
    modelId: string,
    modelVersion: string,
    reference: Snap[],
    source: string,
    origin: Record<string, string> = {},
  ): Promise<void> {
    const actor = actorOf(ctx);
    await this.ds.transaction(async (em) => {
      await authorizeModels(ctx.principal, OPERATE, [modelId], modelOwners(em), { write: true });
      const m = await this.repo.load(em, modelId, modelVersion);
      await this.repo.save(em, modelId, { ...m, state: pinnedState(modelVersion, reference, source), openAlert: null, referenceDirty: true });
      await appendAudit(em, {
        actor,
        action: 'drift.reference.set',
        subject: modelId,
        detail: {
          modelVersion,
          source,
          ...origin,
          events: reference.length,
          eventIds: reference.map((s) => s.id),
          sha256: createHash('sha256').update(JSON.stringify(reference)).digest('hex'),
        },
      });
    });
  }

  async resetReference(req: ResetReferenceRequest, ctx: RpcContext) {
    authorize(ctx.principal, OPERATE);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    await this.ds.transaction(async (em) => {
      await authorizeModels(ctx.principal, OPERATE, [req.modelId], modelOwners(em), { write: true });
      if (!(await this.repo.storedVersion(em, req.modelId))) throw notFound(`model ${req.modelId}`);
      const m = await this.repo.load(em, req.modelId, '');
      await this.repo.save(em, req.modelId, { ...m, state: emptyState(m.state.version), openAlert: null, referenceDirty: true });
      const previous = { previousReferenceSize: m.state.reference.length, previousSource: referenceSource(m.state) };
      await appendAudit(em, {
        actor: actorOf(ctx),
        action: 'drift.reference.reset',
        subject: req.modelId,
        detail: { modelVersion: m.state.version, ...previous },
      });
    });
    return {};
  }
}

/** Who made a change, for the audit log (the handler has authorized the caller). */
function actorOf(ctx: RpcContext): string {
  return (ctx.principal as Principal).subject;
}
