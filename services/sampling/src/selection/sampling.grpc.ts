import { Inject, Injectable } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import {
  AnnotationRequestedSchema,
  GetDecisionRequest,
  GetSamplingBudgetRequest,
  GetSamplingPolicyRequest,
  ListSamplingDecisionsRequest,
  SamplingService,
  UpsertSamplingPolicyRequest,
} from '@labelloop/contracts';
import { appendAudit, DataSource, modelOwners } from '@labelloop/persistence';
import { authorize, authorizeModels, invalidArgument, notFound, Role, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import { budgetUse } from '../policy/budget-use';
import { PolicyError, policyToProto } from '../policy/policy';
import { PolicyRepository } from '../policy/policy.repository';
import { ModelStateRepository } from './model-state.repository';
import { samplingDecisions } from './sampling-decision.repository';

const READ: Role[] = ['service', 'reviewer'];

/** SamplingService: policies per model, and why an item was selected, and when; checked against the model's owning project. */
@Injectable()
export class SamplingGrpc implements ServiceImpl<(typeof SamplingService)['method']> {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly policies: PolicyRepository,
    private readonly states: ModelStateRepository,
  ) {}

  async getDecision(req: GetDecisionRequest, ctx: RpcContext) {
    authorize(ctx.principal, READ);
    if (!req.itemId) throw invalidArgument('item_id', 'is required');
    const rows = await samplingDecisions.ofItem(this.ds, req.itemId);
    if (rows.length === 0) throw notFound(`item ${req.itemId}`);
    await authorizeModels(ctx.principal, READ, [rows[0].model_id], modelOwners(this.ds));
    return { request: fromBinary(AnnotationRequestedSchema, rows[0].request) };
  }

  async listSamplingDecisions(req: ListSamplingDecisionsRequest, ctx: RpcContext) {
    authorize(ctx.principal, READ);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    if (req.limit > 1000) throw invalidArgument('limit', 'at most 1000');
    await authorizeModels(ctx.principal, READ, [req.modelId], modelOwners(this.ds));
    const rows = await samplingDecisions.latestOfModel(this.ds, req.modelId, req.limit || 100);
    return { requests: rows.map((r) => fromBinary(AnnotationRequestedSchema, r.request)) };
  }

  async upsertSamplingPolicy(req: UpsertSamplingPolicyRequest, ctx: RpcContext) {
    const me = authorize(ctx.principal, ['admin']);
    if (!req.policy?.modelId) throw invalidArgument('policy.model_id', 'is required');
    const p = req.policy;
    try {
      const resolved = await this.ds.transaction(async (em) => {
        // The project the requests go to is the caller's too (no routing items into another project's queue).
        await authorizeModels(ctx.principal, ['admin'], [p.modelId], modelOwners(em), { write: true, project: p.projectId });
        const r = await this.policies.put(em, p);
        await appendAudit(em, { actor: me.subject, action: 'sampling.policy.updated', subject: p.modelId });
        return r;
      });
      return { policy: policyToProto(p.modelId, resolved) };
    } catch (e) {
      if (e instanceof PolicyError) throw invalidArgument(`policy.${e.field}`, e.problem);
      throw e;
    }
  }

  async getSamplingPolicy(req: GetSamplingPolicyRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service', 'admin']);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    await authorizeModels(ctx.principal, ['service', 'admin'], [req.modelId], modelOwners(this.ds));
    const resolved = await this.ds.transaction((em) => this.policies.get(em, req.modelId));
    return { policy: policyToProto(req.modelId, resolved) };
  }

  async getSamplingBudget(req: GetSamplingBudgetRequest, ctx: RpcContext) {
    authorize(ctx.principal, READ);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    await authorizeModels(ctx.principal, READ, [req.modelId], modelOwners(this.ds));
    const { policy, state } = await this.ds.transaction(async (em) => ({
      policy: await this.policies.get(em, req.modelId),
      state: await this.states.budgetOf(em, req.modelId),
    }));
    return budgetUse(req.modelId, policy, state, Date.now());
  }
}
