import 'reflect-metadata';
import { DatasetRegistryService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { registryConfigSchema } from './registry.config';
import { CreateRegistryTables1732360000000 } from './registry.migration';
import { RegistryModule } from './registry.module';
import { AcceptedLabelConsumer } from './versions/accepted-label.consumer';
import { RegistryGrpc } from './versions/registry.grpc';

main({
  name: 'dataset-registry',
  configSchema: registryConfigSchema,
  module: RegistryModule,
  migrations: [CreateRegistryTables1732360000000],
  handlers: (app) => [app.get(AcceptedLabelConsumer)],
  grpc: (app, server) => server.add(DatasetRegistryService, app.get(RegistryGrpc)),
});
