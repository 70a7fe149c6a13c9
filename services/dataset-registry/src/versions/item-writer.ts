import { Inject, Injectable } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import type { LabelAccepted } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, LOGGER } from '@labelloop/runtime';
import { pseudonymSecret, RegistryConfig } from '../registry.config';
import { datasetClassCounts } from '../repositories/dataset-class-count.repository';
import { datasetFacets } from '../repositories/dataset-facet.repository';
import { datasetGroups } from '../repositories/dataset-group.repository';
import { datasetHeads } from '../repositories/dataset-head.repository';
import { datasetItems } from '../repositories/dataset-item.repository';
import { datasetRecords } from '../repositories/dataset-record.repository';
import { datasetStats } from '../repositories/dataset-stats.repository';
import { groupsOf, latestPerItem, planWrites, touchedDatasets } from './write-plan';

/**
 * Keeps the latest accepted record of every item (`dataset_item`) and, in step with it, the
 * per-dataset figures a cut needs (class counts per split, QA sums, lineage facets), so that
 * cutting a version never scans the whole dataset. Records are stored content-addressed in
 * `dataset_record`. An item's split is decided once, from its group, and never changes.
 */
@Injectable()
export class ItemWriter {
  private readonly secret: string;

  constructor(
    @Inject(CONFIG) private readonly config: RegistryConfig,
    @Inject(LOGGER) logger: LoggerService,
  ) {
    const s = pseudonymSecret();
    this.secret = s.secret;
    if (s.isDefault) logger.warn({ msg: 'REGISTRY_PSEUDONYM_SECRET is not set: annotator pseudonyms use a development key' }, 'ItemWriter');
  }

  /** Applies accepted labels; returns the datasets touched, with the traceparent of their last event. */
  async apply(em: EntityManager, events: ConsumedEvent<LabelAccepted>[]): Promise<Map<string, string | undefined>> {
    const touched = touchedDatasets(events);
    for (const ds of [...touched.keys()].sort()) await datasetHeads.lock(em, ds);
    const stored = await datasetItems.lockMany(
      em,
      [...latestPerItem(events).values()].map((ev) => ({ datasetId: ev.message.projectId, itemId: ev.message.itemId })),
    );
    const storedGroups = await datasetGroups.splits(em, groupsOf(events));
    const plan = planWrites(events, stored, storedGroups, {
      trainPct: this.config.REGISTRY_TRAIN_PCT,
      validationPct: this.config.REGISTRY_VALIDATION_PCT,
      pseudonymSecret: this.secret,
    });
    await datasetGroups.insertMany(em, plan.newGroups);
    await datasetRecords.insertMany(em, plan.records);
    await datasetItems.upsertMany(em, plan.items);
    await datasetClassCounts.add(em, plan.classCounts);
    await datasetFacets.add(em, plan.facets);
    await datasetStats.add(em, plan.stats);
    if (plan.becamePending.length > 0) await datasetHeads.markPending(em, plan.becamePending);
    return touched;
  }
}
