import { Module } from '@nestjs/common';
import { QaGrpc } from './gates/qa.grpc';
import { SubmissionConsumer } from './gates/submission.consumer';

/** The QA stage: agreement, consensus and quality gates. */
@Module({ providers: [SubmissionConsumer, QaGrpc] })
export class QaModule {}
