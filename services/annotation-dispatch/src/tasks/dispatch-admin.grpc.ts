import { Inject, Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AnnotatorResumedSchema, DispatchAdminService, ListPausedAnnotatorsRequest, ResumeAnnotatorRequest, Topics } from '@labelloop/contracts';
import type { Outbox } from '@labelloop/messaging';
import { appendAudit, DataSource, queryRows } from '@labelloop/persistence';
import { authorize, failedPrecondition, invalidArgument, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE, OUTBOX } from '@labelloop/runtime';

/** DispatchAdminService: project admins see who QA paused, and resume them. */
@Injectable()
export class DispatchAdminGrpc implements ServiceImpl<(typeof DispatchAdminService)['method']> {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  async listPausedAnnotators(req: ListPausedAnnotatorsRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    authorize(ctx.principal, ['admin'], req.projectId);
    const rows = await queryRows<{ annotator_id: string; reason: string; paused_at: Date }>(
      this.ds,
      'SELECT annotator_id, reason, paused_at FROM annotator_pause WHERE project_id = $1 ORDER BY annotator_id',
      [req.projectId],
    );
    return { annotators: rows.map((r) => ({ annotatorId: r.annotator_id, reason: r.reason, pausedAt: timestampFromDate(r.paused_at) })) };
  }

  /** Lifts the pause, writes the audit entry and tells QA (outbox), in one transaction. */
  async resumeAnnotator(req: ResumeAnnotatorRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    if (!req.annotatorId) throw invalidArgument('annotator_id', 'is required');
    if (!req.reason.trim()) throw invalidArgument('reason', 'is required (it goes to the audit log)');
    const me = authorize(ctx.principal, ['admin'], req.projectId);
    const now = new Date();
    await this.ds.transaction(async (em) => {
      const lifted = await queryRows<{ reason: string }>(em, 'DELETE FROM annotator_pause WHERE project_id = $1 AND annotator_id = $2 RETURNING reason', [req.projectId, req.annotatorId]);
      if (lifted.length === 0) throw failedPrecondition(`${req.annotatorId} is not paused in project ${req.projectId}`);
      await appendAudit(em, { actor: me.subject, action: 'annotator.resumed', subject: `${req.projectId}/${req.annotatorId}`, detail: { reason: req.reason, pausedFor: lifted[0].reason } });
      await this.outbox.emit(em, {
        topic: Topics.annotatorResumed,
        key: req.annotatorId,
        schema: AnnotatorResumedSchema,
        message: { annotatorId: req.annotatorId, projectId: req.projectId, resumedBy: me.subject, reason: req.reason, resumedAt: timestampFromDate(now) },
      });
    });
    return { resumedAt: timestampFromDate(now) };
  }
}
