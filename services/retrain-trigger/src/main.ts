import 'reflect-metadata';
import { RetrainService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { migrations } from './migrations';
import { retrainConfigSchema } from './retrain.config';
import { RetrainModule } from './retrain.module';
import { LaunchWorker } from './runs/launch.worker';
import { RetrainGrpc } from './runs/retrain.grpc';

main({
  name: 'retrain-trigger',
  configSchema: retrainConfigSchema,
  module: RetrainModule,
  migrations,
  workers: (app) => [app.get(LaunchWorker)],
  grpc: (app, server) => server.add(RetrainService, app.get(RetrainGrpc)),
});
