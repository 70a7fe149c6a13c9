import { Controller, Inject } from '@nestjs/common';
import { LabelAccepted, LabelAcceptedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, Consumes } from '@labelloop/runtime';
import type { RegistryConfig } from '../registry.config';
import { ItemWriter } from './item-writer';
import { labelOf } from './write-plan';
import { VersionCutter } from './version-cutter';

/**
 * Keeps the latest accepted record of every item and cuts a content-addressed version of a
 * dataset (one dataset per annotation project) once REGISTRY_CUT_EVERY items changed. The
 * items, the trie nodes and the version row commit in the consumer's transaction (with the
 * inbox); an approved version is exported and announced (DatasetApproved) after that, by the
 * CutWorker, so a crash loses neither the version nor its announcement and announces nothing
 * twice.
 */
@Controller()
export class AcceptedLabelConsumer {
  constructor(
    @Inject(CONFIG) private readonly config: RegistryConfig,
    private readonly items: ItemWriter,
    private readonly cutter: VersionCutter,
  ) {}

  validate(l: LabelAccepted): string | undefined {
    if (!l.itemId) return 'item_id is required';
    if (!l.projectId) return 'project_id is required';
    if (!labelOf(l)) return 'label must be a classification label or boxes';
    if (l.label?.value.case === 'boxes') {
      for (const b of l.label.value.value.boxes) {
        if (!b.label) return 'every box needs a label';
        if (![b.x, b.y, b.width, b.height].every(Number.isFinite) || b.width < 0 || b.height < 0)
          return 'box coordinates must be finite with width, height >= 0';
      }
    }
    if (!(l.confidence >= 0 && l.confidence <= 1)) return 'confidence must be in [0, 1]';
    if (!Number.isFinite(l.agreement)) return 'agreement must be a number';
    return undefined;
  }

  @Consumes(Topics.labelAccepted, LabelAcceptedSchema)
  async handle(events: ConsumedEvent<LabelAccepted>[], em: EntityManager): Promise<void> {
    const touched = await this.items.apply(em, events);
    for (const [datasetId, traceparent] of touched) {
      if ((await this.cutter.pendingCount(em, datasetId)) >= this.config.REGISTRY_CUT_EVERY) await this.cutter.cut(em, datasetId, 'count', traceparent);
    }
  }
}
