import 'reflect-metadata';
import { DriftService, IngestService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { DriftGrpc } from './detection/drift.grpc';
import { DriftPredictionConsumer } from './detection/prediction.consumer';
import { driftConfigSchema } from './drift.config';
import { CreateDriftTables1732380000000 } from './drift.migration';
import { DriftModule } from './drift.module';
import { IngestGrpc } from './ingest/ingest.grpc';

main({
  name: 'drift-detection',
  configSchema: driftConfigSchema,
  module: DriftModule,
  migrations: [CreateDriftTables1732380000000],
  handlers: (app) => [app.get(DriftPredictionConsumer)],
  grpc: (app, server) => {
    server.add(DriftService, app.get(DriftGrpc));
    server.add(IngestService, app.get(IngestGrpc));
  },
});
