import { Module } from '@nestjs/common';
import { secretFromEnv } from '@labelloop/config';
import { BearerTokenAuth } from '@labelloop/rpc';
import { AUTH } from './gateway.tokens';
import { IngestGrpc } from './ingest/ingest.grpc';
import { IngestedEventRepository } from './ingest/ingested-event.repository';
import { PredictionIntake } from './ingest/prediction-intake.service';
import { KserveIntake } from './kserve/kserve-intake.service';
import { KserveRepository } from './kserve/kserve.repository';

/** The ingest gateway: prediction events in over gRPC, HTTP/JSON and KServe's inference logger, out to the prediction topic. */
@Module({
  providers: [{ provide: AUTH, useFactory: () => BearerTokenAuth.fromJson(secretFromEnv('AUTH_TOKENS')) }, IngestedEventRepository, PredictionIntake, IngestGrpc, KserveRepository, KserveIntake],
  exports: [AUTH, PredictionIntake, KserveIntake],
})
export class GatewayModule {}
