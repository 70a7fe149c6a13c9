import { Module } from '@nestjs/common';
import { secretFromEnv } from '@labelloop/config';
import { BearerTokenAuth } from '@labelloop/rpc';
import { AUTH } from './gateway.tokens';
import { IngestGrpc } from './ingest/ingest.grpc';
import { IngestedEventRepository } from './ingest/ingested-event.repository';
import { PredictionIntake } from './ingest/prediction-intake.service';
import { KserveIntake } from './kserve/kserve-intake.service';
import { KserveRepository } from './kserve/kserve.repository';
import { SeldonCapture } from './seldon/seldon-capture.consumer';

/** The ingest gateway: prediction events in over gRPC, HTTP/JSON, KServe's inference logger and Seldon's model topics, out to the prediction topic. */
@Module({
  providers: [
    { provide: AUTH, useFactory: () => BearerTokenAuth.fromJson(secretFromEnv('AUTH_TOKENS')) },
    IngestedEventRepository,
    PredictionIntake,
    IngestGrpc,
    KserveRepository,
    KserveIntake,
    SeldonCapture,
  ],
  exports: [AUTH, PredictionIntake, KserveIntake],
})
export class GatewayModule {}
