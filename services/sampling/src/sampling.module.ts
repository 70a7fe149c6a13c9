import { Module } from '@nestjs/common';
import { PolicyRepository } from './policy/policy.repository';
import { DriftAlertConsumer } from './selection/drift-alert.consumer';
import { ModelStateRepository } from './selection/model-state.repository';
import { PredictionConsumer } from './selection/prediction.consumer';
import { RequestWriter } from './selection/request.writer';
import { SamplingGrpc } from './selection/sampling.grpc';

/** The sampling stage: triggers, strategies, budgets, deduplication. */
@Module({ controllers: [PredictionConsumer, DriftAlertConsumer], providers: [PolicyRepository, ModelStateRepository, RequestWriter, SamplingGrpc] })
export class SamplingModule {}
