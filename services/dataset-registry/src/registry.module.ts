import { Module } from '@nestjs/common';
import { CONFIG } from '@labelloop/runtime';
import { createExportSink, EXPORT_SINK } from './exports/sink';
import type { RegistryConfig } from './registry.config';
import { AcceptedLabelConsumer } from './versions/accepted-label.consumer';
import { CutWorker } from './versions/cut.worker';
import { ItemWriter } from './versions/item-writer';
import { ModelPromotedConsumer } from './versions/model-promoted.consumer';
import { RegistryGrpc } from './versions/registry.grpc';
import { VersionCutter } from './versions/version-cutter';

/** The dataset registry stage: Merkle-trie versions, gates, lineage, exports, DatasetApproved. */
@Module({
  controllers: [AcceptedLabelConsumer, ModelPromotedConsumer],
  providers: [
    { provide: EXPORT_SINK, useFactory: (config: RegistryConfig) => createExportSink(config), inject: [CONFIG] },
    ItemWriter,
    VersionCutter,
    CutWorker,
    RegistryGrpc,
  ],
})
export class RegistryModule {}
