import { Injectable } from '@nestjs/common';
import { AnnotatorService, GetNextTaskRequest, ReleaseTaskRequest, SubmitAnnotationRequest } from '@labelloop/contracts';
import { authorize, invalidArgument, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { TaskService } from './task.service';

/** AnnotatorService over gRPC: the annotator is the authenticated caller, never a request field. */
@Injectable()
export class AnnotatorGrpc implements ServiceImpl<(typeof AnnotatorService)['method']> {
  constructor(private readonly tasks: TaskService) {}

  async getNextTask(req: GetNextTaskRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    const me = authorize(ctx.principal, ['annotator', 'reviewer'], req.projectId);
    return { task: await this.tasks.nextTask(me.subject, req.projectId) };
  }

  async submitAnnotation(req: SubmitAnnotationRequest, ctx: RpcContext) {
    if (!req.taskId) throw invalidArgument('task_id', 'is required');
    const me = authorize(ctx.principal, ['annotator', 'reviewer']);
    return this.tasks.submit(me.subject, (projectId) => authorize(ctx.principal, ['annotator', 'reviewer'], projectId), {
      taskId: req.taskId,
      label: req.label,
      timeSpentMs: req.timeSpentMs,
      idempotencyKey: req.idempotencyKey,
    });
  }

  async releaseTask(req: ReleaseTaskRequest, ctx: RpcContext) {
    if (!req.taskId) throw invalidArgument('task_id', 'is required');
    const me = authorize(ctx.principal, ['annotator', 'reviewer']);
    await this.tasks.release(me.subject, (projectId) => authorize(ctx.principal, ['annotator', 'reviewer'], projectId), req.taskId, req.reason);
    return {};
  }
}
