import 'reflect-metadata';
import { RetrainService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { retrainConfigSchema } from './retrain.config';
import { CreateRetrainTables1732370000000 } from './retrain.migration';
import { RetrainModule } from './retrain.module';
import { DatasetApprovedConsumer } from './runs/dataset-approved.consumer';
import { LaunchWorker } from './runs/launch.worker';
import { RetrainGrpc } from './runs/retrain.grpc';

main({
  name: 'retrain-trigger',
  configSchema: retrainConfigSchema,
  module: RetrainModule,
  migrations: [CreateRetrainTables1732370000000],
  handlers: (app) => [app.get(DatasetApprovedConsumer)],
  workers: (app) => [app.get(LaunchWorker)],
  grpc: (app, server) => server.add(RetrainService, app.get(RetrainGrpc)),
});
