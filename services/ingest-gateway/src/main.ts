import 'reflect-metadata';
import { IngestService } from '@labelloop/contracts';
import { BearerTokenAuth } from '@labelloop/rpc';
import { main } from '@labelloop/runtime';
import { gatewayConfigSchema } from './gateway.config';
import { migrations } from './migrations';
import { GatewayModule } from './gateway.module';
import { AUTH } from './gateway.tokens';
import { IngestGrpc } from './ingest/ingest.grpc';
import { IngestHttpController } from './ingest/ingest-http.controller';
import { KserveController } from './kserve/kserve.controller';

main({
  name: 'ingest-gateway',
  configSchema: gatewayConfigSchema,
  module: GatewayModule,
  migrations,
  // It consumes no LabelLoop topic (Seldon's model topics only, with SELDON_NAMESPACES): its only
  // output is the outbox (relayed to labelloop.prediction.recorded.v1).
  controllers: [IngestHttpController, KserveController],
  // The HTTP edge admits a call by its Content-Length before it reads the body.
  bodyParser: false,
  // Accepted ids recognise a client's retry for INBOX_RETENTION_HOURS (7 days by default), as an
  // inbox does; a KServe half whose partner never came is dropped after as long.
  pruned: [
    { table: 'ingested_event', column: 'received_at' },
    { table: 'kserve_pending', column: 'received_at' },
  ],
  authenticate: (app) => app.get<BearerTokenAuth>(AUTH).authenticate,
  grpc: (app, server) => {
    server.add(IngestService, app.get(IngestGrpc));
  },
});
