import { Inject, Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  GetRetrainPolicyRequest,
  ListPromotionDecisionsRequest,
  ListRunsRequest,
  ReportRunStatusRequest,
  RetrainService,
  UpsertRetrainPolicyRequest,
} from '@labelloop/contracts';
import { appendAudit, DataSource, modelOwners } from '@labelloop/persistence';
import { authorize, authorizeModels, failedPrecondition, invalidArgument, notFound, Role, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import { promotionDecisions } from '../repositories/promotion-decision.repository';
import { RetrainRunRow, retrainRuns } from '../repositories/retrain-run.repository';
import { PolicyRepository, RetrainPolicyError } from './policy.repository';
import { runTransition } from './run-transition';

const toRun = (r: RetrainRunRow) => ({
  runId: r.run_id,
  modelId: r.model_id,
  datasetVersionId: r.dataset_version_id,
  state: r.state,
  launcher: r.launcher,
  attempts: r.attempts,
  lastError: r.last_error ?? '',
  requestedAt: timestampFromDate(new Date(r.requested_at)),
});

const READ: Role[] = ['service', 'admin'];

/** RetrainService: runs, job callbacks, policies and the promotion decision log; checked against the model's owning project. */
@Injectable()
export class RetrainGrpc implements ServiceImpl<(typeof RetrainService)['method']> {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly policies: PolicyRepository,
  ) {}

  async listRuns(req: ListRunsRequest, ctx: RpcContext) {
    authorize(ctx.principal, READ);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    await authorizeModels(ctx.principal, READ, [req.modelId], modelOwners(this.ds));
    const rows = await retrainRuns.ofModel(this.ds, req.modelId);
    return { runs: rows.map(toRun) };
  }

  async reportRunStatus(req: ReportRunStatusRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service']);
    if (!req.runId) throw invalidArgument('run_id', 'is required');
    if (!['running', 'succeeded', 'failed'].includes(req.state)) throw invalidArgument('state', 'must be running, succeeded or failed');
    return this.ds.transaction(async (em) => {
      const run = await retrainRuns.lock(em, req.runId);
      if (!run) throw notFound(`run ${req.runId}`);
      // A job reports for its own project's model only; reporting never claims a model.
      await authorizeModels(ctx.principal, ['service'], [run.model_id], modelOwners(em));
      const transition = runTransition(run.state, req.state);
      if (transition === 'unchanged') return { run: toRun(run) }; // a repeated callback changes nothing
      if (transition === 'refused') throw failedPrecondition(`run ${req.runId} is ${run.state}; cannot become ${req.state}`);
      return { run: toRun(await retrainRuns.report(em, req.runId, req.state, req.message || null)) };
    });
  }

  async upsertRetrainPolicy(req: UpsertRetrainPolicyRequest, ctx: RpcContext) {
    const me = authorize(ctx.principal, ['admin']);
    if (!req.policy?.modelId) throw invalidArgument('policy.model_id', 'is required');
    const policy = req.policy;
    try {
      await this.ds.transaction(async (em) => {
        await authorizeModels(ctx.principal, ['admin'], [policy.modelId], modelOwners(em), { write: true });
        await this.policies.put(em, policy);
        await appendAudit(em, { actor: me.subject, action: 'retrain.policy.updated', subject: policy.modelId });
      });
    } catch (e) {
      if (e instanceof RetrainPolicyError) throw invalidArgument(`policy.${e.field}`, e.problem);
      throw e;
    }
    return { policy };
  }

  async getRetrainPolicy(req: GetRetrainPolicyRequest, ctx: RpcContext) {
    authorize(ctx.principal, READ);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    await authorizeModels(ctx.principal, READ, [req.modelId], modelOwners(this.ds));
    const { stored } = await this.ds.transaction((em) => this.policies.get(em, req.modelId));
    return { policy: stored ?? { modelId: req.modelId } };
  }

  async listPromotionDecisions(req: ListPromotionDecisionsRequest, ctx: RpcContext) {
    authorize(ctx.principal, READ);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    await authorizeModels(ctx.principal, READ, [req.modelId], modelOwners(this.ds));
    const rows = await promotionDecisions.ofModel(this.ds, req.modelId);
    return {
      decisions: rows.map((r) => ({
        modelId: r.model_id,
        candidateVersion: r.candidate_version,
        datasetVersionId: r.dataset_version_id,
        promoted: r.promoted,
        reasons: r.reasons,
        candidateMetrics: r.candidate_metrics,
        championMetrics: r.champion_metrics ?? {},
        championVersion: r.champion_version ?? '',
        decidedAt: timestampFromDate(new Date(r.decided_at)),
      })),
    };
  }
}
