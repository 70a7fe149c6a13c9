import 'reflect-metadata';
import { DriftService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { migrations } from './migrations';
import { DriftGrpc } from './detection/drift.grpc';
import { driftConfigSchema } from './drift.config';
import { DriftModule } from './drift.module';

main({
  name: 'drift-detection',
  configSchema: driftConfigSchema,
  module: DriftModule,
  migrations,
  // It reads every prediction: no inbox row per event (offsets and a row of ids per chunk).
  inbox: 'chunks',
  // ...and gathers its small fetches (KAFKA_MAX_BYTES_PER_PARTITION, drift.config.ts) into full
  // transactions, so a fetch's messages die young (run it with a 64 MiB semi-space: k8s sets it).
  coalesce: true,
  grpc: (app, server) => {
    server.add(DriftService, app.get(DriftGrpc));
  },
});
