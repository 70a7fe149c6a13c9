import { Module } from '@nestjs/common';
import { ModelEvaluatedConsumer } from './promotion/model-evaluated.consumer';
import { DatasetApprovedConsumer } from './runs/dataset-approved.consumer';
import { DriftDetectedConsumer, DriftResolvedConsumer } from './runs/drift-state.consumer';
import { LaunchWorker } from './runs/launch.worker';
import { PolicyRepository } from './runs/policy.repository';
import { RetrainGrpc } from './runs/retrain.grpc';

/** The retrain trigger stage: policies, launchers, run tracking, evaluation and promotion. */
@Module({
  controllers: [DatasetApprovedConsumer, DriftDetectedConsumer, DriftResolvedConsumer, ModelEvaluatedConsumer],
  providers: [PolicyRepository, LaunchWorker, RetrainGrpc],
})
export class RetrainModule {}
