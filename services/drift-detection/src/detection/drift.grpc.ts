import { Inject, Injectable } from '@nestjs/common';
import { DriftService, GetDriftStatusRequest } from '@labelloop/contracts';
import type { DataSource } from '@labelloop/persistence';
import { authorize, invalidArgument, notFound, RpcContext, ServiceImpl } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import type { DetectorState } from './detector';

/** DriftService: current drift state of a model. */
@Injectable()
export class DriftGrpc implements ServiceImpl<(typeof DriftService)['method']> {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async getDriftStatus(req: GetDriftStatusRequest, ctx: RpcContext) {
    authorize(ctx.principal, ['service', 'admin']);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    const [row]: { state: DetectorState; open_alert_id: string | null }[] = await this.ds.query(
      'SELECT state, open_alert_id FROM drift_model_state WHERE model_id = $1',
      [req.modelId],
    );
    if (!row) throw notFound(`model ${req.modelId}`);
    return {
      modelId: req.modelId,
      drifting: row.open_alert_id !== null,
      referenceSize: BigInt(row.state.reference.size),
      windowSize: BigInt(row.state.window.size),
      openAlert: row.open_alert_id ? { alertId: row.open_alert_id, modelId: req.modelId } : undefined,
    };
  }
}
