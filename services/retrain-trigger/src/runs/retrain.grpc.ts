import { Inject, Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ListRunsRequest, RetrainService } from '@labelloop/contracts';
import type { DataSource } from '@labelloop/persistence';
import { authorize, invalidArgument, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';

/** RetrainService: runs and their states. */
@Injectable()
export class RetrainGrpc implements ServiceImpl<(typeof RetrainService)['method']> {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async listRuns(req: ListRunsRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service', 'admin']);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    const rows: { run_id: string; model_id: string; dataset_version_id: string; state: string; launcher: string; attempts: number; last_error: string | null; requested_at: Date }[] =
      await this.ds.query('SELECT * FROM retrain_run WHERE model_id = $1 ORDER BY requested_at', [req.modelId]);
    return {
      runs: rows.map((r) => ({
        runId: r.run_id,
        modelId: r.model_id,
        datasetVersionId: r.dataset_version_id,
        state: r.state,
        launcher: r.launcher,
        attempts: r.attempts,
        lastError: r.last_error ?? '',
        requestedAt: timestampFromDate(new Date(r.requested_at)),
      })),
    };
  }
}
