import 'reflect-metadata';
import { QaService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { migrations } from './migrations';
import { QaGrpc } from './gates/qa.grpc';
import { qaConfigSchema } from './qa.config';
import { QaModule } from './qa.module';

main({
  name: 'qa',
  configSchema: qaConfigSchema,
  module: QaModule,
  migrations,
  grpc: (app, server) => server.add(QaService, app.get(QaGrpc)),
});
