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
import { appendAudit, DataSource, modelOwners, queryRows } from '@labelloop/persistence';
import { authorize, authorizeModels, failedPrecondition, invalidArgument, notFound, Role, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import { PolicyRepository, RetrainPolicyError } from './policy.repository';

interface RunRow {
  run_id: string;
  model_id: string;
  dataset_version_id: string;
  state: string;
  launcher: string;
  attempts: number;
  last_error: string | null;
  requested_at: Date;
}

const toRun = (r: RunRow) => ({
  runId: r.run_id,
  modelId: r.model_id,
  datasetVersionId: r.dataset_version_id,
  state: r.state,
  launcher: r.launcher,
  attempts: r.attempts,
  lastError: r.last_error ?? '',
  requestedAt: timestampFromDate(new Date(r.requested_at)),
});

/** Allowed run transitions reported by jobs. */
const NEXT: Record<string, string[]> = { requested: ['running', 'succeeded', 'failed'], running: ['succeeded', 'failed'] };

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
    const rows: RunRow[] = await this.ds.query('SELECT * FROM retrain_run WHERE model_id = $1 ORDER BY requested_at', [req.modelId]);
    return { runs: rows.map(toRun) };
  }

  async reportRunStatus(req: ReportRunStatusRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service']);
    if (!req.runId) throw invalidArgument('run_id', 'is required');
    if (!['running', 'succeeded', 'failed'].includes(req.state)) throw invalidArgument('state', 'must be running, succeeded or failed');
    return this.ds.transaction(async (em) => {
      const [run]: RunRow[] = await em.query('SELECT * FROM retrain_run WHERE run_id = $1 FOR UPDATE', [req.runId]);
      if (!run) throw notFound(`run ${req.runId}`);
      // A job reports for its own project's model only; reporting never claims a model.
      await authorizeModels(ctx.principal, ['service'], [run.model_id], modelOwners(em));
      if (run.state === req.state) return { run: toRun(run) }; // a repeated callback changes nothing
      if (!(NEXT[run.state] ?? []).includes(req.state)) throw failedPrecondition(`run ${req.runId} is ${run.state}; cannot become ${req.state}`);
      const [updated] = await queryRows<RunRow>(
        em,
        `UPDATE retrain_run SET state = $2, last_error = CASE WHEN $2 = 'failed' THEN $3 ELSE last_error END,
                started_at = COALESCE(started_at, now()), finished_at = CASE WHEN $2 IN ('succeeded', 'failed') THEN now() END, updated_at = now()
          WHERE run_id = $1 RETURNING *`,
        [req.runId, req.state, req.message || null],
      );
      return { run: toRun(updated) };
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
    const rows: {
      model_id: string;
      candidate_version: string;
      dataset_version_id: string;
      promoted: boolean;
      reasons: string[];
      candidate_metrics: Record<string, number>;
      champion_metrics: Record<string, number> | null;
      champion_version: string | null;
      decided_at: Date;
    }[] = await this.ds.query('SELECT * FROM promotion_decision WHERE model_id = $1 ORDER BY id', [req.modelId]);
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
