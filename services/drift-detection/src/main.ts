import 'reflect-metadata';
import { DriftService, IngestService } from '@labelloop/contracts';
import { CreateModelOwner1733300000000 } from '@labelloop/persistence';
import { main } from '@labelloop/runtime';
import { DriftGrpc } from './detection/drift.grpc';
import { ModelPromotedConsumer } from './detection/model-promoted.consumer';
import { DriftPredictionConsumer } from './detection/prediction.consumer';
import { driftConfigSchema } from './drift.config';
import { CreateDriftTables1732380000000 } from './drift.migration';
import { DriftDetectorV21732390000000 } from './drift-v2.migration';
import { DriftModule } from './drift.module';
import { driftPrunedTables, IngestGrpc } from './ingest/ingest.grpc';
import { IngestedEventIndex1732610000000 } from './ingest/ingested-event-index.migration';

main({
  name: 'drift-detection',
  configSchema: driftConfigSchema,
  module: DriftModule,
  migrations: [CreateDriftTables1732380000000, DriftDetectorV21732390000000, IngestedEventIndex1732610000000, CreateModelOwner1733300000000],
  pruned: driftPrunedTables,
  handlers: (app) => [app.get(DriftPredictionConsumer), app.get(ModelPromotedConsumer)],
  // It reads every prediction: no inbox row per event (offsets and a row of ids per chunk).
  inbox: 'chunks',
  // ...and gathers its small fetches (KAFKA_MAX_BYTES_PER_PARTITION, drift.config.ts) into full
  // transactions, so a fetch's messages die young (run it with a 64 MiB semi-space: k8s sets it).
  coalesce: true,
  grpc: (app, server) => {
    server.add(DriftService, app.get(DriftGrpc));
    server.add(IngestService, app.get(IngestGrpc));
  },
});
