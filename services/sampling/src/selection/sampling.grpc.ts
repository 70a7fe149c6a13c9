import { Inject, Injectable } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import { AnnotationRequestedSchema, GetDecisionRequest, SamplingService } from '@labelloop/contracts';
import type { DataSource } from '@labelloop/persistence';
import { authorize, invalidArgument, notFound, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';

/** SamplingService: why was this item selected, and when. */
@Injectable()
export class SamplingGrpc implements ServiceImpl<(typeof SamplingService)['method']> {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async getDecision(req: GetDecisionRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service', 'reviewer']);
    if (!req.itemId) throw invalidArgument('item_id', 'is required');
    const rows: { request: Buffer }[] = await this.ds.query('SELECT request FROM sampling_decision WHERE item_id = $1', [req.itemId]);
    if (rows.length === 0) throw notFound(`item ${req.itemId}`);
    return { request: fromBinary(AnnotationRequestedSchema, rows[0].request) };
  }
}
