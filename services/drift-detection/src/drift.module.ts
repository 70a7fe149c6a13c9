import { Module } from '@nestjs/common';
import { DriftGrpc } from './detection/drift.grpc';
import { ModelPromotedConsumer } from './detection/model-promoted.consumer';
import { DriftPredictionConsumer } from './detection/prediction.consumer';
import { RegistryReader } from './detection/registry-reader';
import { StateRepository } from './detection/state.repository';
import { IngestGrpc } from './ingest/ingest.grpc';

/** The drift detection stage (and the Ingest RPC in front of the prediction topic). */
@Module({ controllers: [DriftPredictionConsumer, ModelPromotedConsumer], providers: [StateRepository, RegistryReader, DriftGrpc, IngestGrpc] })
export class DriftModule {}
