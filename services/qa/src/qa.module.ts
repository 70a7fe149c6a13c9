import { Module } from '@nestjs/common';
import { QaGrpc } from './gates/qa.grpc';
import { QaPolicyRepository } from './policy/policy.repository';
import { SubmissionConsumer } from './gates/submission.consumer';

/** The QA stage: agreement, consensus and quality gates. */
@Module({ providers: [SubmissionConsumer, QaGrpc, QaPolicyRepository] })
export class QaModule {}
