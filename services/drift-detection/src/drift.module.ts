import { Module } from '@nestjs/common';
import { DriftGrpc } from './detection/drift.grpc';
import { DriftPredictionConsumer } from './detection/prediction.consumer';
import { IngestGrpc } from './ingest/ingest.grpc';

/** The drift detection stage (and the Ingest RPC in front of the prediction topic). */
@Module({ providers: [DriftPredictionConsumer, DriftGrpc, IngestGrpc] })
export class DriftModule {}
