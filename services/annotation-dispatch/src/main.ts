import 'reflect-metadata';
import { AnnotatorService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { dispatchConfigSchema } from './dispatch.config';
import { CreateDispatchTables1732340000000 } from './dispatch.migration';
import { DispatchAnnotatorStatus1732430000000 } from './dispatch-v2.migration';
import { DispatchModule } from './dispatch.module';
import { AnnotatorGrpc } from './tasks/annotator.grpc';
import { AnnotatorPausedConsumer } from './tasks/annotator-paused.consumer';
import { LabelAcceptedConsumer, ReworkConsumer } from './tasks/qa-feedback.consumer';
import { RequestConsumer } from './tasks/request.consumer';

main({
  name: 'annotation-dispatch',
  configSchema: dispatchConfigSchema,
  module: DispatchModule,
  migrations: [CreateDispatchTables1732340000000, DispatchAnnotatorStatus1732430000000],
  handlers: (app) => [app.get(AnnotatorPausedConsumer), app.get(RequestConsumer), app.get(LabelAcceptedConsumer), app.get(ReworkConsumer)],
  grpc: (app, server) => server.add(AnnotatorService, app.get(AnnotatorGrpc)),
});
