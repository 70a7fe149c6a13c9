import { Inject, Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AnnotatorResumedSchema,
  DispatchAdminService,
  GetLabelSchemaRequest,
  GetQueueStatsRequest,
  ListPausedAnnotatorsRequest,
  PutLabelSchemaRequest,
  ResumeAnnotatorRequest,
  Topics,
} from '@labelloop/contracts';
import type { Outbox } from '@labelloop/messaging';
import { appendAudit, DataSource } from '@labelloop/persistence';
import { authorize, failedPrecondition, invalidArgument, notFound, Role, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { CONFIG, DATA_SOURCE, OUTBOX } from '@labelloop/runtime';
import type { DispatchConfig } from '../dispatch.config';
import { LabelSchemaStore } from '../labels/label-schema.store';
import { schemaFromSpec, schemaToSpec } from '../labels/schema-spec';
import { annotationTasks } from '../repositories/annotation-task.repository';
import { annotatorPauses } from '../repositories/annotator-pause.repository';
import { queueStatsToProto } from './queue-stats';

/** Who may read a project's queue figures: they name no annotator and change nothing. */
const READ_QUEUE: Role[] = ['admin', 'reviewer', 'service'];

/** Who may read a project's label schema (tools that render tasks need it; it names nobody). */
const READ_SCHEMA: Role[] = ['admin', 'reviewer', 'service'];

/**
 * DispatchAdminService: project admins see who QA paused, and resume them; the project's queue
 * figures; the project's label schema, versioned.
 */
@Injectable()
export class DispatchAdminGrpc implements ServiceImpl<(typeof DispatchAdminService)['method']> {
  private readonly schemas: LabelSchemaStore;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CONFIG) config: DispatchConfig,
  ) {
    this.schemas = new LabelSchemaStore(config);
  }

  async listPausedAnnotators(req: ListPausedAnnotatorsRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    authorize(ctx.principal, ['admin'], req.projectId);
    const rows = await annotatorPauses.ofProject(this.ds, req.projectId);
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
      const pausedFor = await annotatorPauses.lift(em, req.projectId, req.annotatorId);
      if (pausedFor === undefined) throw failedPrecondition(`${req.annotatorId} is not paused in project ${req.projectId}`);
      await appendAudit(em, {
        actor: me.subject,
        action: 'annotator.resumed',
        subject: `${req.projectId}/${req.annotatorId}`,
        detail: { reason: req.reason, pausedFor },
      });
      await this.outbox.emit(em, {
        topic: Topics.annotatorResumed,
        key: req.annotatorId,
        schema: AnnotatorResumedSchema,
        message: { annotatorId: req.annotatorId, projectId: req.projectId, resumedBy: me.subject, reason: req.reason, resumedAt: timestampFromDate(now) },
      });
    });
    return { resumedAt: timestampFromDate(now) };
  }

  /** The project's queue: waiting tasks, open leases, the last hour's answers. */
  async getQueueStats(req: GetQueueStatsRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    authorize(ctx.principal, READ_QUEUE, req.projectId);
    return queueStatsToProto(await annotationTasks.queueStats(this.ds, req.projectId));
  }

  /** Stores a new version of the project's label schema with its audit entry, in one transaction (admin only). */
  async putLabelSchema(req: PutLabelSchemaRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    const me = authorize(ctx.principal, ['admin'], req.projectId);
    const schema = schemaFromSpec(req.schema);
    const { row, created } = await this.ds.transaction((em) => this.schemas.put(em, req.projectId, schema, me.subject));
    return { version: row.version, createdAt: timestampFromDate(row.created_at), created };
  }

  /** The project's label schema, latest or at a version; version 0 = no stored schema (the default). */
  async getLabelSchema(req: GetLabelSchemaRequest, ctx: RpcContext) {
    if (!req.projectId) throw invalidArgument('project_id', 'is required');
    authorize(ctx.principal, READ_SCHEMA, req.projectId);
    const found = await this.schemas.get(this.ds, req.projectId, req.version);
    if (!found) throw notFound(`label schema version ${req.version} of project ${req.projectId}`);
    return {
      version: found.version,
      schema: schemaToSpec(found.schema),
      createdAt: found.row ? timestampFromDate(found.row.created_at) : undefined,
      createdBy: found.row?.created_by ?? '',
    };
  }
}
