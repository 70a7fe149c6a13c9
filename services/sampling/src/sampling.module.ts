import { Module } from '@nestjs/common';
import { PolicyRepository } from './policy/policy.repository';
import { PredictionConsumer } from './selection/prediction.consumer';
import { SamplingGrpc } from './selection/sampling.grpc';

/** The sampling stage: triggers and selection. */
@Module({ providers: [PolicyRepository, PredictionConsumer, SamplingGrpc] })
export class SamplingModule {}
