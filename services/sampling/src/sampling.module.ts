import { Module } from '@nestjs/common';
import { PredictionConsumer } from './selection/prediction.consumer';
import { SamplingGrpc } from './selection/sampling.grpc';

/** The sampling stage: triggers and selection. */
@Module({ providers: [PredictionConsumer, SamplingGrpc] })
export class SamplingModule {}
