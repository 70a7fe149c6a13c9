import 'reflect-metadata';
import { AnnotatorService, DispatchAdminService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { dispatchConfigSchema } from './dispatch.config';
import { CreateDispatchTables1732340000000 } from './dispatch.migration';
import { DispatchAnnotatorStatus1732430000000 } from './dispatch-v2.migration';
import { DispatchModule } from './dispatch.module';
import { DispatchLabelStudio1732520000000 } from './dispatch-v3.migration';
import { DispatchGoldItems1732530000000 } from './dispatch-v4.migration';
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
  migrations: [CreateDispatchTables1732340000000, DispatchAnnotatorStatus1732430000000, DispatchLabelStudio1732520000000, DispatchGoldItems1732530000000],
  handlers: (app) => [app.get(AnnotatorPausedConsumer), app.get(RequestConsumer), app.get(LabelAcceptedConsumer), app.get(ReworkConsumer)],
  workers: (app) => [app.get(GoldLoader), app.get(LabelStudioWorker)],
  grpc: (app, server) => server.add(AnnotatorService, app.get(AnnotatorGrpc)).add(DispatchAdminService, app.get(DispatchAdminGrpc)),
});
