import 'reflect-metadata';
import { AnnotatorService, DispatchAdminService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { dispatchConfigSchema } from './dispatch.config';
import { DISPATCH_MIGRATIONS } from './dispatch.migrations';
import { DispatchModule } from './dispatch.module';
import { LabelStudioWorker } from './label-studio/label-studio.worker';
import { AnnotatorGrpc } from './tasks/annotator.grpc';
import { DispatchAdminGrpc } from './tasks/dispatch-admin.grpc';
import { GoldLoader } from './tasks/gold.loader';
import { AnnotatorPausedConsumer } from './tasks/annotator-paused.consumer';
import { LabelAcceptedConsumer, ReworkConsumer } from './tasks/qa-feedback.consumer';
import { RequestConsumer } from './tasks/request.consumer';

main({
  name: 'annotation-dispatch',
  configSchema: dispatchConfigSchema,
  module: DispatchModule,
  migrations: DISPATCH_MIGRATIONS,
  handlers: (app) => [app.get(AnnotatorPausedConsumer), app.get(RequestConsumer), app.get(LabelAcceptedConsumer), app.get(ReworkConsumer)],
  workers: (app) => [app.get(GoldLoader), app.get(LabelStudioWorker)],
  grpc: (app, server) => server.add(AnnotatorService, app.get(AnnotatorGrpc)).add(DispatchAdminService, app.get(DispatchAdminGrpc)),
});
