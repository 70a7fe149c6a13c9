import 'reflect-metadata';
import { RetrainService } from '@labelloop/contracts';
import { CreateModelOwner1733300000000 } from '@labelloop/persistence';
import { main } from '@labelloop/runtime';
import { retrainConfigSchema } from './retrain.config';
import { CreateRetrainTables1732370000000 } from './retrain.migration';
import { RetrainPoliciesAndPromotion1732410000000 } from './retrain-v2.migration';
import { RetrainModule } from './retrain.module';
import { ModelEvaluatedConsumer } from './promotion/model-evaluated.consumer';
import { DatasetApprovedConsumer } from './runs/dataset-approved.consumer';
import { DriftDetectedConsumer, DriftResolvedConsumer } from './runs/drift-state.consumer';
import { LaunchWorker } from './runs/launch.worker';
import { RetrainGrpc } from './runs/retrain.grpc';

main({
  name: 'retrain-trigger',
  configSchema: retrainConfigSchema,
  module: RetrainModule,
  migrations: [CreateRetrainTables1732370000000, RetrainPoliciesAndPromotion1732410000000, CreateModelOwner1733300000000],
  handlers: (app) => [app.get(DatasetApprovedConsumer), app.get(DriftDetectedConsumer), app.get(DriftResolvedConsumer), app.get(ModelEvaluatedConsumer)],
  workers: (app) => [app.get(LaunchWorker)],
  grpc: (app, server) => server.add(RetrainService, app.get(RetrainGrpc)),
});
