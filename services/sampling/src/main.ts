import 'reflect-metadata';
import { SamplingService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { migrations } from './migrations';
import { samplingConfigSchema } from './sampling.config';
import { SamplingModule } from './sampling.module';
import { SamplingGrpc } from './selection/sampling.grpc';

main({
  name: 'sampling',
  configSchema: samplingConfigSchema,
  module: SamplingModule,
  migrations,
  grpc: (app, server) => server.add(SamplingService, app.get(SamplingGrpc)),
  // It reads every prediction: no inbox row per event (offsets and a row of ids per chunk).
  inbox: 'chunks',
});
