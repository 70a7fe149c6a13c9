import { Module } from '@nestjs/common';
import { ContentResolver } from './content/content.resolver';
import { AnnotatorHttp } from './tasks/annotator.http';
import { DispatchAdminGrpc } from './tasks/dispatch-admin.grpc';
import { LabelStudioWebhookController } from './label-studio/label-studio-webhook.controller';
import { LabelStudioConnector } from './label-studio/label-studio.connector';
import { LabelStudioWorker } from './label-studio/label-studio.worker';
import { GoldLoader } from './tasks/gold.loader';
import { AnnotatorGrpc } from './tasks/annotator.grpc';
import { AnnotatorPausedConsumer } from './tasks/annotator-paused.consumer';
import { AnswersRequestedConsumer, LabelAcceptedConsumer, ReworkConsumer } from './tasks/qa-feedback.consumer';
import { RequestConsumer } from './tasks/request.consumer';
import { TaskService } from './tasks/task.service';

/** The annotation dispatch stage: task queues, leases, the annotator API. */
@Module({
  controllers: [
    AnnotatorPausedConsumer,
    RequestConsumer,
    LabelAcceptedConsumer,
    ReworkConsumer,
    AnswersRequestedConsumer,
    LabelStudioWebhookController,
    AnnotatorHttp,
  ],
  providers: [ContentResolver, DispatchAdminGrpc, TaskService, AnnotatorGrpc, LabelStudioConnector, LabelStudioWorker, GoldLoader],
})
export class DispatchModule {}
