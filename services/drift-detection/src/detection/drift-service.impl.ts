import type { INestApplicationContext } from '@nestjs/common';
import type { DriftService } from '@labelloop/contracts';
import type { ServiceImpl } from '@labelloop/rpc';
import { DriftGrpc } from './drift.grpc';
import { WindowStatsGrpc } from './window-stats.grpc';

/** DriftService as served: DriftGrpc's methods and ListWindowStatistics (window-stats.grpc.ts). */
export function driftServiceImpl(app: INestApplicationContext): ServiceImpl<(typeof DriftService)['method']> {
  const drift = app.get(DriftGrpc);
  const windows = app.get(WindowStatsGrpc);
  const impl = Object.create(drift) as DriftGrpc & Pick<WindowStatsGrpc, 'listWindowStatistics'>;
  impl.listWindowStatistics = windows.listWindowStatistics.bind(windows);
  return impl;
}
