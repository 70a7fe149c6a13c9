import { Inject, Injectable } from '@nestjs/common';
import type { ListWindowStatisticsRequest } from '@labelloop/contracts';
import { DataSource, modelOwners } from '@labelloop/persistence';
import { authorize, authorizeModels, invalidArgument, Role, RpcContext } from '@labelloop/rpc';
import { DATA_SOURCE } from '@labelloop/runtime';
import { windowStatsToProto } from './window-stats';
import { WindowStatsRepository } from './window-stats.repository';

const OPERATE: Role[] = ['service', 'admin'];
const MAX_LIMIT = 1000;

/** DriftService.ListWindowStatistics: each tested window's statistics, as GetDriftStatus is authorised. */
@Injectable()
export class WindowStatsGrpc {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    private readonly windows: WindowStatsRepository,
  ) {}

  async listWindowStatistics(req: ListWindowStatisticsRequest, ctx: RpcContext) {
    authorize(ctx.principal, OPERATE);
    if (!req.modelId) throw invalidArgument('model_id', 'is required');
    if (req.limit > MAX_LIMIT) throw invalidArgument('limit', `must be at most ${MAX_LIMIT}, got ${req.limit}`);
    await authorizeModels(ctx.principal, OPERATE, [req.modelId], modelOwners(this.ds));
    const rows = await this.windows.list(this.ds, req.modelId, req.limit || 100);
    return { windows: rows.map(windowStatsToProto) };
  }
}
