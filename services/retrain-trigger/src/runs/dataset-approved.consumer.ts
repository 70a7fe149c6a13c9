import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { DatasetApproved, DatasetApprovedSchema, RetrainRequestedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent, EventHandler, Outbox } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, OUTBOX } from '@labelloop/runtime';
import type { RetrainConfig } from '../retrain.config';

/** Run id of (model, dataset version): the same pair always maps to the same run. */
export function runIdOf(modelId: string, versionId: string): string {
  return `run-${createHash('sha256').update(`${modelId}|${versionId}`).digest('hex').slice(0, 24)}`;
}

/**
 * Decides whether an approved dataset version should retrain its model. One run per (model,
 * dataset version), however often the event is redelivered: the run row's unique key and the
 * RetrainRequested event commit together.
 */
@Injectable()
export class DatasetApprovedConsumer implements EventHandler<typeof DatasetApprovedSchema> {
  readonly topic = Topics.datasetApproved;
  readonly schema = DatasetApprovedSchema;

  constructor(
    @Inject(CONFIG) private readonly config: RetrainConfig,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  validate(d: DatasetApproved): string | undefined {
    if (!d.versionId) return 'version_id is required';
    if (!d.modelId) return 'model_id is required';
    if (!d.datasetId) return 'dataset_id is required';
    return undefined;
  }

  async handle(events: ConsumedEvent<DatasetApproved>[], em: EntityManager): Promise<void> {
    for (const ev of events) {
      const d = ev.message;
      if (Number(d.newItems) < this.config.RETRAIN_MIN_NEW_LABELS) continue;
      const reason = `min_new_labels: ${d.newItems} >= ${this.config.RETRAIN_MIN_NEW_LABELS}`;
      const runId = runIdOf(d.modelId, d.versionId);
      const inserted: unknown[] = await em.query(
        `INSERT INTO retrain_run (run_id, model_id, dataset_id, dataset_version_id, export_uri, state, launcher, reason, traceparent)
         VALUES ($1, $2, $3, $4, $5, 'requested', 'webhook', $6, $7) ON CONFLICT DO NOTHING RETURNING run_id`,
        [runId, d.modelId, d.datasetId, d.versionId, d.exportUri, reason, ev.traceparent ?? null],
      );
      if (inserted.length === 0) continue;
      await this.outbox.emit(em, {
        topic: Topics.retrainRequested,
        key: d.modelId,
        schema: RetrainRequestedSchema,
        id: `retrain-requested:${runId}`,
        traceparent: ev.traceparent,
        message: {
          runId,
          modelId: d.modelId,
          datasetId: d.datasetId,
          datasetVersionId: d.versionId,
          exportUri: d.exportUri,
          launcher: 'webhook',
          reason,
          requestedAt: timestampFromDate(new Date()),
        },
      });
    }
  }
}
