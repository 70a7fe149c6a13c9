import 'reflect-metadata';
import { DatasetRegistryService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { migrations } from './migrations';
import { registryConfigSchema } from './registry.config';
import { RegistryModule } from './registry.module';
import { CutWorker } from './versions/cut.worker';
import { RegistryGrpc } from './versions/registry.grpc';

main({
  name: 'dataset-registry',
  configSchema: registryConfigSchema,
  module: RegistryModule,
  migrations,
  workers: (app) => [app.get(CutWorker)],
  grpc: (app, server) => server.add(DatasetRegistryService, app.get(RegistryGrpc)),
});
