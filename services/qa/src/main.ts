import 'reflect-metadata';
import { QaService } from '@labelloop/contracts';
import { main } from '@labelloop/runtime';
import { QaGrpc } from './gates/qa.grpc';
import { SubmissionConsumer } from './gates/submission.consumer';
import { qaConfigSchema } from './qa.config';
import { CreateQaTables1732350000000 } from './qa.migration';
import { QaScorecards1732420000000 } from './qa-v2.migration';
import { QaGuidelineReviews1732460000000 } from './qa-v3.migration';
import { QaPoliciesAndBatches1732500000000 } from './qa-v4.migration';
import { QaAnnotatorResume1732540000000 } from './qa-v5.migration';
import { AnnotatorResumedConsumer } from './gates/annotator-resumed.consumer';
import { QaModule } from './qa.module';

main({
  name: 'qa',
  configSchema: qaConfigSchema,
  module: QaModule,
  migrations: [CreateQaTables1732350000000, QaScorecards1732420000000, QaGuidelineReviews1732460000000, QaPoliciesAndBatches1732500000000, QaAnnotatorResume1732540000000],
  handlers: (app) => [app.get(SubmissionConsumer), app.get(AnnotatorResumedConsumer)],
  grpc: (app, server) => server.add(QaService, app.get(QaGrpc)),
});
