import { Controller, Inject } from '@nestjs/common';
import { LabelAccepted, LabelAcceptedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, Consumes } from '@labelloop/runtime';
import type { RegistryConfig } from '../registry.config';
import { ItemWriter } from './item-writer';
import { labelFieldsOf } from './write-plan';
import { VersionCutter } from './version-cutter';
import { preferencePairOf } from './content-address';

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
    const fields = labelFieldsOf(l);
    if (!fields) return 'label is required (classification, spans, boxes, text or preference)';
    if (fields.boxes) {
      if (fields.boxes.length === 0) return 'a box label needs at least one box';
      for (const b of fields.boxes) {
        if (!b.label) return 'every box needs a label';
        if (![b.x, b.y, b.width, b.height].every(Number.isFinite) || b.width < 0 || b.height < 0)
          return 'box coordinates must be finite with width, height >= 0';
      }
    } else if (fields.spans) {
      if (!l.contentText) return 'a span label needs content_text (the text its offsets point into)';
      for (const s of fields.spans) {
        if (!s.label) return 'every span needs a label';
        if (!(s.end > s.start) || s.end > l.contentText.length)
          return `span [${s.start}, ${s.end}) must have start < end <= ${l.contentText.length} (the length of content_text)`;
      }
    } else if (fields.chosen !== undefined) {
      if (fields.chosen !== 'a' && fields.chosen !== 'b') return 'preference.chosen must be "a" or "b"';
      if (!preferencePairOf(l.contentText)) return 'a preference label needs content_text = JSON {"prompt","a","b"} (strings)';
    } else if (fields.text === undefined && !fields.label) return 'a classification label needs at least one class';
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
