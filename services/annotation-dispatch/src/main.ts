import 'reflect-metadata';
import { AnnotatorService, DispatchAdminService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { migrations } from './migrations';
import { dispatchConfigSchema } from './dispatch.config';
import { DispatchModule } from './dispatch.module';
import { LabelStudioWorker } from './label-studio/label-studio.worker';
import { AnnotatorGrpc } from './tasks/annotator.grpc';
import { DispatchAdminGrpc } from './tasks/dispatch-admin.grpc';
import { GoldLoader } from './tasks/gold.loader';

main({
  name: 'annotation-dispatch',
  configSchema: dispatchConfigSchema,
  module: DispatchModule,
  migrations,
  workers: (app) => [app.get(GoldLoader), app.get(LabelStudioWorker)],
  grpc: (app, server) => server.add(AnnotatorService, app.get(AnnotatorGrpc)).add(DispatchAdminService, app.get(DispatchAdminGrpc)),
});
