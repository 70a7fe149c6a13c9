import { Module } from '@nestjs/common';
import { AcceptedLabelConsumer } from './versions/accepted-label.consumer';
import { RegistryGrpc } from './versions/registry.grpc';

/** The dataset registry stage: content-addressed versions, exports, DatasetApproved. */
@Module({ providers: [AcceptedLabelConsumer, RegistryGrpc] })
export class RegistryModule {}
