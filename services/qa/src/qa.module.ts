import { Module } from '@nestjs/common';
import { AnnotatorResumedConsumer } from './gates/annotator-resumed.consumer';
import { QaGrpc } from './gates/qa.grpc';
import { QaPolicyRepository } from './policy/policy.repository';
import { SubmissionConsumer } from './gates/submission.consumer';

/** The QA stage: agreement, consensus and quality gates. */
@Module({ controllers: [SubmissionConsumer, AnnotatorResumedConsumer], providers: [QaGrpc, QaPolicyRepository] })
export class QaModule {}
