import { Inject, Injectable } from '@nestjs/common';
import {
  DriftService,
  GetDriftConfigRequest,
  GetDriftStatusRequest,
  ResetReferenceRequest,
  SetReferenceRequest,
  UpsertDriftConfigRequest,
  validatePredictionEvent,
} from '@labelloop/contracts';
import type { DataSource } from '@labelloop/persistence';
import { authorize, invalidArgument, notFound, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import { configToProto, DriftConfigError, MAX_EVENTS } from './drift-config';
import { emptyState } from './detector';
import { toSnap } from './prediction.consumer';
import { StateRepository } from './state.repository';

/** DriftService: drift state, per-model configuration and reference management. */
@Injectable()
export class DriftGrpc implements ServiceImpl<(typeof DriftService)['method']> {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly repo: StateRepository,
  ) {}

  async getDriftStatus(req: GetDriftStatusRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service', 'admin']);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    return this.ds.transaction(async (em) => {
      const [known]: { version: string }[] = await em.query('SELECT version FROM drift_model_state WHERE model_id = $1', [req.modelId]);
      if (!known || Number(known.version) === 0) throw notFound(`model ${req.modelId}`);
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
      };
    });
  }

  async upsertDriftConfig(req: UpsertDriftConfigRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['admin']);
    if (!req.config?.modelId) throw invalidArgument('config.model_id', 'is required');
    const config = req.config;
    try {
      const resolved = await this.ds.transaction((em) => this.repo.saveConfig(em, config.modelId, config));
      return { config: configToProto(config.modelId, resolved) };
    } catch (e) {
      if (e instanceof DriftConfigError) throw invalidArgument(`config.${e.field}`, e.problem);
      throw e;
    }
  }

  async getDriftConfig(req: GetDriftConfigRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service', 'admin']);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    return { config: configToProto(req.modelId, await this.ds.transaction((em) => this.repo.config(em, req.modelId))) };
  }

  async setReference(req: SetReferenceRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service', 'admin']);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    if (!req.modelVersion) throw invalidArgument('model_version', 'is required');
    if (req.predictions.length < 20 || req.predictions.length > MAX_EVENTS) throw invalidArgument('predictions', `needs 20 to ${MAX_EVENTS} events`);
    req.predictions.forEach((p, i) => {
      const problem = validatePredictionEvent(p);
      if (problem) throw invalidArgument(`predictions[${i}]`, problem);
    });
    await this.ds.transaction(async (em) => {
      const m = await this.repo.load(em, req.modelId, req.modelVersion);
      const state = { ...emptyState(req.modelVersion), reference: req.predictions.map(toSnap), pinned: true };
      await this.repo.save(em, req.modelId, { ...m, state, openAlert: null, referenceDirty: true });
    });
    return { referenceSize: BigInt(req.predictions.length) };
  }

  async resetReference(req: ResetReferenceRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service', 'admin']);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    await this.ds.transaction(async (em) => {
      const [known]: { version: string }[] = await em.query('SELECT version FROM drift_model_state WHERE model_id = $1', [req.modelId]);
      if (!known || Number(known.version) === 0) throw notFound(`model ${req.modelId}`);
      const m = await this.repo.load(em, req.modelId, '');
      await this.repo.save(em, req.modelId, { ...m, state: emptyState(m.state.version), openAlert: null, referenceDirty: true });
    });
    return {};
  }
}
