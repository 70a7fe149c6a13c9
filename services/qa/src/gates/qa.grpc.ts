import { Inject, Injectable } from '@nestjs/common';
import {
  GetAnswerCostRequest,
  GetItemDecisionRequest,
  GetQaPolicyRequest,
  GetQualityHistoryRequest,
  isMachineAnnotator,
  ListAnnotatorScorecardsRequest,
  QaService,
  UpsertQaPolicyRequest,
} from '@labelloop/contracts';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { appendAudit, DataSource } from '@labelloop/persistence';
import { authorize, invalidArgument, notFound, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import { qaPolicyToProto, QaPolicyError } from '../policy/policy';
import { QaPolicyRepository } from '../policy/policy.repository';
import { qaAgreementBuckets } from '../repositories/qa-agreement.repository';
import { qaAnnotators } from '../repositories/qa-annotator.repository';
import { qaAnswers } from '../repositories/qa-answer.repository';
import { qaBatches } from '../repositories/qa-batch.repository';
import { qaItems } from '../repositories/qa-item.repository';

/** QaService: the decision taken on an item, annotator scorecards, each project's QA policy and quality history. */
@Injectable()
export class QaGrpc implements ServiceImpl<(typeof QaService)['method']> {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly policies: QaPolicyRepository,
  ) {}

  async upsertQaPolicy(req: UpsertQaPolicyRequest, ctx: RpcContext) {
    const p = req.policy;
    if (!p?.projectId) throw invalidArgument('policy.project_id', 'is required');
    const me = authorize(ctx.principal, ['admin'], p.projectId);
    try {
      const { policy, version } = await this.ds.transaction(async (em) => {
        const stored = await this.policies.put(em, p);
        await appendAudit(em, {
          actor: me.subject,
          action: 'qa.policy.updated',
          subject: p.projectId,
          detail: { version: stored.version, policy: { ...stored.policy } },
        });
        return stored;
      });
      return { policy: qaPolicyToProto(p.projectId, policy), version };
    } catch (e) {
      if (e instanceof QaPolicyError) throw invalidArgument(`policy.${e.field}`, e.problem);
      throw e;
    }
  }

  async getQaPolicy(req: GetQaPolicyRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    authorize(ctx.principal, ['admin', 'reviewer', 'service'], req.projectId);
    const { policy, version } = await this.ds.transaction(async (em) => ({
      policy: await this.policies.get(em, req.projectId),
      version: await this.policies.version(em, req.projectId),
    }));
    return { policy: qaPolicyToProto(req.projectId, policy), version };
  }

  async getItemDecision(req: GetItemDecisionRequest, ctx: RpcContext) {
    if (!req.itemId) throw invalidArgument('item_id', 'is required');
    const item = await qaItems.decision(this.ds.manager, req.itemId);
    if (!item) throw notFound(`item ${req.itemId}`);
    authorize(ctx.principal, ['reviewer', 'service'], item.project_id);
    const n = await qaAnswers.countOfItem(this.ds.manager, req.itemId);
    return {
      state: item.state,
      answers: n,
      accepted:
        item.state === 'accepted' && item.final_label !== null
          ? {
              itemId: req.itemId,
              projectId: item.project_id,
              label: { value: { case: 'classification' as const, value: { classes: item.final_label.split('|') } } },
              confidence: item.confidence ?? 0,
              agreement: item.agreement ?? 0,
            }
          : undefined,
    };
  }

  async listAnnotatorScorecards(req: ListAnnotatorScorecardsRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    authorize(ctx.principal, ['reviewer', 'service'], req.projectId);
    const rows = await qaAnnotators.ofProject(this.ds.manager, req.projectId);
    return {
      scorecards: rows.map((r) => ({
        annotatorId: r.annotator_id,
        projectId: req.projectId,
        answers: r.answers,
        agreement: r.decided ? r.agreed / r.decided : 0,
        goldAccuracy: r.gold_answers ? r.gold_correct / r.gold_answers : 0,
        goldAnswers: r.gold_answers,
        estimatedAccuracy: r.estimated_accuracy ?? 0,
        meanSecondsPerTask: r.answers ? Number(r.time_spent_ms) / r.answers / 1000 : 0,
        preLabelAcceptanceRate: r.answers ? r.pre_label_accepted / r.answers : 0,
        rework: r.rework,
        paused: r.paused,
        isMachine: isMachineAnnotator(r.annotator_id),
      })),
    };
  }

  async getQualityHistory(req: GetQualityHistoryRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    if (req.bucketLimit > 1000) throw invalidArgument('bucket_limit', 'must be at most 1000');
    if (req.batchLimit > 200) throw invalidArgument('batch_limit', 'must be at most 200');
    authorize(ctx.principal, ['reviewer', 'service'], req.projectId);
    const [buckets, batches] = await Promise.all([
      qaAgreementBuckets.newest(this.ds.manager, req.projectId, req.bucketLimit || 100),
      qaBatches.judged(this.ds.manager, req.projectId, req.batchLimit || 20),
    ]);
    return {
      buckets: buckets.map((b) => ({
        bucketNo: b.bucket_no,
        rounds: b.rounds,
        answers: b.answers,
        agreeing: b.agreeing,
        agreement: b.answers ? b.agreeing / b.answers : 0,
        sentBack: b.sent_back,
        firstAt: timestampFromDate(b.first_at),
        lastAt: timestampFromDate(b.last_at),
      })),
      batches: batches.map((b) => ({
        batchNo: b.batch_no,
        passed: b.state === 'passed',
        items: b.held,
        kappa: b.kappa ?? undefined,
        minKappa: b.min_kappa ?? undefined,
        goldAnswers: b.gold_answers ?? 0,
        goldAccuracy: b.gold_answers ? (b.gold_correct ?? 0) / b.gold_answers : undefined,
        minGoldAccuracy: b.min_gold_accuracy ?? undefined,
        reason: b.reason ?? '',
        policyVersion: b.policy ?? '',
        closedAt: timestampFromDate(b.closed_at),
      })),
    };
  }

  async getAnswerCost(req: GetAnswerCostRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    authorize(ctx.principal, ['reviewer', 'service'], req.projectId);
    const { answers, items } = await this.ds.transaction('REPEATABLE READ', async (em) => ({
      answers: await qaAnswers.countByKind(em, req.projectId),
      items: await qaItems.costOfProject(em, req.projectId),
    }));
    return {
      acceptedLabels: items.accepted,
      humanAnswers: answers.human,
      machineAnswers: answers.machine,
      humanAnswersPerAcceptedLabel: items.accepted ? answers.human / items.accepted : 0,
      answersRequested: items.requested,
    };
  }
}
