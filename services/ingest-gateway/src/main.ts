import 'reflect-metadata';
import { IngestService } from '@labelloop/contracts';
import { BearerTokenAuth } from '@labelloop/rpc';
import { main } from '@labelloop/runtime';
import { gatewayConfigSchema } from './gateway.config';
import { CreateGatewayTables1764806400000 } from './gateway.migration';
import { GatewayModule } from './gateway.module';
import { AUTH } from './gateway.tokens';
import { IngestGrpc } from './ingest/ingest.grpc';
import { IngestHttpController } from './ingest/ingest-http.controller';

main({
  name: 'ingest-gateway',
  configSchema: gatewayConfigSchema,
  module: GatewayModule,
  migrations: [CreateGatewayTables1764806400000],
  // It consumes nothing: its only output is the outbox (relayed to labelloop.prediction.recorded.v1).
  controllers: [IngestHttpController],
  // The HTTP edge admits a call by its Content-Length before it reads the body.
  bodyParser: false,
  authenticate: (app) => app.get<BearerTokenAuth>(AUTH).authenticate,
  grpc: (app, server) => {
    server.add(IngestService, app.get(IngestGrpc));
  },
});
