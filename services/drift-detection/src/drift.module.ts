import { Module } from '@nestjs/common';
import { DriftGrpc } from './detection/drift.grpc';
import { ModelPromotedConsumer } from './detection/model-promoted.consumer';
import { DriftPredictionConsumer } from './detection/prediction.consumer';
import { RegistryReader } from './detection/registry-reader';
import { StateRepository } from './detection/state.repository';
import { WindowStatsRepository } from './detection/window-stats.repository';

/** The drift detection stage. */
@Module({
  controllers: [DriftPredictionConsumer, ModelPromotedConsumer],
  providers: [StateRepository, RegistryReader, DriftGrpc, WindowStatsRepository],
})
export class DriftModule {}
