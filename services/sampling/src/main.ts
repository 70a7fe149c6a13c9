import 'reflect-metadata';
import { SamplingService } from '@labelloop/contracts';
import { CreateModelOwner1733300000000 } from '@labelloop/persistence';
import { main } from '@labelloop/runtime';
import { samplingConfigSchema } from './sampling.config';
import { CreateSamplingTables1732330000000 } from './sampling.migration';
import { SamplingPoliciesAndSignals1732400000000 } from './sampling-v2.migration';
import { SamplingModule } from './sampling.module';
import { DriftAlertConsumer } from './selection/drift-alert.consumer';
import { PredictionConsumer } from './selection/prediction.consumer';
import { SamplingGrpc } from './selection/sampling.grpc';

main({
  name: 'sampling',
  configSchema: samplingConfigSchema,
  module: SamplingModule,
  migrations: [CreateSamplingTables1732330000000, SamplingPoliciesAndSignals1732400000000, CreateModelOwner1733300000000],
  handlers: (app) => [app.get(PredictionConsumer), app.get(DriftAlertConsumer)],
  grpc: (app, server) => server.add(SamplingService, app.get(SamplingGrpc)),
  // It reads every prediction: no inbox row per event (offsets and a row of ids per chunk).
  inbox: 'chunks',
});
