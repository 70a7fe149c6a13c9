import 'reflect-metadata';
import { DatasetRegistryService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { registryConfigSchema } from './registry.config';
import { CreateRegistryTables1732360000000 } from './registry.migration';
import { RegistryTrieVersions1732450000000 } from './registry-v2.migration';
import { RegistryItemFeatures1732540000000 } from './registry-v3.migration';
import { RegistryModule } from './registry.module';
import { AcceptedLabelConsumer } from './versions/accepted-label.consumer';
import { CutWorker } from './versions/cut.worker';
import { ModelPromotedConsumer } from './versions/model-promoted.consumer';
import { RegistryGrpc } from './versions/registry.grpc';

main({
  name: 'dataset-registry',
  configSchema: registryConfigSchema,
  module: RegistryModule,
  migrations: [CreateRegistryTables1732360000000, RegistryTrieVersions1732450000000, RegistryItemFeatures1732540000000],
  handlers: (app) => [app.get(AcceptedLabelConsumer), app.get(ModelPromotedConsumer)],
  workers: (app) => [app.get(CutWorker)],
  grpc: (app, server) => server.add(DatasetRegistryService, app.get(RegistryGrpc)),
});
