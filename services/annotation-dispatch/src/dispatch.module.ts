import { Module } from '@nestjs/common';
import { AnnotatorGrpc } from './tasks/annotator.grpc';
import { AnnotatorPausedConsumer } from './tasks/annotator-paused.consumer';
import { LabelAcceptedConsumer, ReworkConsumer } from './tasks/qa-feedback.consumer';
import { RequestConsumer } from './tasks/request.consumer';
import { TaskService } from './tasks/task.service';

/** The annotation dispatch stage: task queues, leases, the annotator API. */
@Module({ providers: [AnnotatorPausedConsumer, RequestConsumer, LabelAcceptedConsumer, ReworkConsumer, TaskService, AnnotatorGrpc] })
export class DispatchModule {}
