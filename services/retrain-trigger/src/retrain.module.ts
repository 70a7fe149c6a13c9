import { Module } from '@nestjs/common';
import { DatasetApprovedConsumer } from './runs/dataset-approved.consumer';
import { LaunchWorker } from './runs/launch.worker';
import { RetrainGrpc } from './runs/retrain.grpc';

/** The retrain trigger stage: policies, launchers, run tracking. */
@Module({ providers: [DatasetApprovedConsumer, LaunchWorker, RetrainGrpc] })
export class RetrainModule {}
