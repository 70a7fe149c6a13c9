import { Controller, Inject, LoggerService } from '@nestjs/common';
import { ModelPromoted, ModelPromotedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { RpcError, status } from '@labelloop/rpc';
import { CONFIG, LOGGER, Consumes } from '@labelloop/runtime';
import type { DriftConfig as EnvConfig } from '../drift.config';
import { MIN_REFERENCE, ResolvedConfig } from './drift-config';
import { DetectorState, emptyState, pinnedState } from './detector';
import { driftAlerts } from './drift-alert.repository';
import { datasetSource, RegistryReader } from './registry-reader';
import { StateRepository } from './state.repository';

/** The split a promoted model learned from. */
const TRAINING_SPLIT = 'train';
/** Registry answers worth waiting for: the promotion is retried, not given a lesser reference. */
const TRANSIENT = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED, status.ABORTED, status.INTERNAL, status.UNKNOWN]);

/**
 * A promoted model starts a new reference, and any open episode of the old model is closed
 * without an alert (it no longer applies).
 *
 * By default the reference is the promoted version's first events: production as the new model
 * serves it. A training split is chosen by active learning, hard cases over-represented, so
 * testing production against it raises alerts that are no drift (seen in the main job: an
 * embedding alert after each promotion, the state DRIFTING to the end). A model trained on
 * representative data can ask for its training split instead (`promotion_reference:
 * TRAINING_DATA`), which keeps a drift that began shortly before the promotion visible: it is
 * read from the dataset registry (ModelPromoted names the version); without a registry, or with
 * fewer than 20 items carrying inputs, the first events form it. While the registry is
 * unreachable the promotion is retried (the consumer backs off), never skipped; after
 * DRIFT_PROMOTION_REGISTRY_WAIT_SECONDS it falls back to first events (logged), so a long
 * registry outage does not stall drift detection.
 */
@Controller()
export class ModelPromotedConsumer {
  /** Promotions (by event id) waiting for the registry, since when (ms). */
  private readonly waiting = new Map<string, number>();

  constructor(
    private readonly repo: StateRepository,
    private readonly registry: RegistryReader,
    @Inject(LOGGER) private readonly logger: LoggerService,
    @Inject(CONFIG) private readonly env: EnvConfig,
  ) {}

  validate(p: ModelPromoted): string | undefined {
    if (!p.modelId) return 'model_id is required';
    if (!p.modelVersion) return 'model_version is required';
    return undefined;
  }

  @Consumes(Topics.modelPromoted, ModelPromotedSchema)
  async handle(events: ConsumedEvent<ModelPromoted>[], em: EntityManager): Promise<void> {
    for (const ev of events) {
      const { modelId, modelVersion } = ev.message;
      const state = await this.startState(ev.id, ev.message, await this.repo.config(em, modelId));
      const m = await this.repo.load(em, modelId, modelVersion);
      if (m.openAlert) await driftAlerts.resolve(em, m.openAlert);
      await this.repo.save(em, modelId, { ...m, state, openAlert: null, referenceDirty: true });
    }
  }

  /** The promoted version's detector: pinned to its training data when it can be, else empty. */
  async startState(eventId: string, p: ModelPromoted, cfg: ResolvedConfig): Promise<DetectorState> {
    const firstEvents = emptyState(p.modelVersion);
    if (cfg.promotionReference !== 'training_data' || !p.datasetVersionId || !this.registry.configured) return firstEvents;
    const fallBack = (msg: string, detail: Record<string, unknown>) => {
      this.waiting.delete(eventId);
      this.logger.warn({ msg, modelId: p.modelId, modelVersion: p.modelVersion, datasetVersionId: p.datasetVersionId, ...detail }, 'ModelPromotedConsumer');
      return firstEvents;
    };
    let read;
    try {
      read = await this.registry.reference({ datasetId: '', versionId: p.datasetVersionId, split: TRAINING_SPLIT, maxItems: cfg.referenceSize });
    } catch (e) {
      if (!(e instanceof RpcError) || TRANSIENT.has(e.code)) {
        const since = this.waiting.get(eventId) ?? Date.now();
        this.waiting.set(eventId, since);
        if (Date.now() - since < this.env.DRIFT_PROMOTION_REGISTRY_WAIT_SECONDS * 1000) throw e;
      }
      return fallBack("training data unusable as drift reference: the promoted model's first events form it", { error: (e as Error).message });
    }
    if (read.snaps.length < MIN_REFERENCE) {
      const msg = `training data has ${read.snaps.length} items with inputs (${read.withoutFeatures} without), fewer than ${MIN_REFERENCE}: the promoted model's first events form its reference`;
      return fallBack(msg, {});
    }
    this.waiting.delete(eventId);
    return pinnedState(p.modelVersion, read.snaps, datasetSource(p.datasetVersionId, TRAINING_SPLIT));
  }
}
