import { Inject, Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { DatasetApprovedSchema, LabelAccepted, LabelAcceptedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent, EventHandler, Outbox } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, OUTBOX } from '@labelloop/runtime';
import type { RegistryConfig } from '../registry.config';
import { assignSplit, ItemRecord, merkleRoot, recordHash } from './content-address';
import { exportJsonl } from './exporter';

const labelOf = (l: LabelAccepted) => (l.label?.value.case === 'classification' ? [...l.label.value.value.classes].sort().join('|') : '');

/**
 * Keeps the latest accepted record of every item and cuts a content-addressed version of a
 * dataset (one dataset per annotation project) once enough items changed. The version row,
 * its membership and the DatasetApproved event commit in one transaction, so a crash can
 * neither lose the announcement nor announce twice.
 */
@Injectable()
export class AcceptedLabelConsumer implements EventHandler<typeof LabelAcceptedSchema> {
  readonly topic = Topics.labelAccepted;
  readonly schema = LabelAcceptedSchema;

  constructor(
    @Inject(CONFIG) private readonly config: RegistryConfig,
    @Inject(OUTBOX) private readonly outbox: Outbox,
  ) {}

  validate(l: LabelAccepted): string | undefined {
    if (!l.itemId) return 'item_id is required';
    if (!l.projectId) return 'project_id is required';
    if (!labelOf(l)) return 'label must be a classification label';
    if (!(l.confidence >= 0 && l.confidence <= 1)) return 'confidence must be in [0, 1]';
    return undefined;
  }

  async handle(events: ConsumedEvent<LabelAccepted>[], em: EntityManager): Promise<void> {
    const lastTrace = new Map<string, string | undefined>();
    for (const ev of events) {
      const l = ev.message;
      const record: ItemRecord = {
        itemId: l.itemId,
        inputUri: l.inputUri,
        contentHash: l.contentHash,
        label: labelOf(l),
        split: assignSplit(l.contentHash || l.itemId, l.auditSample, this.config.REGISTRY_TRAIN_PCT, this.config.REGISTRY_VALIDATION_PCT),
        confidence: l.confidence,
        agreement: l.agreement,
      };
      const hash = recordHash(record);
      await em.query(
        `INSERT INTO dataset_item (item_id, dataset_id, record, record_hash, split, label, model_id, model_version, source_event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (item_id) DO UPDATE SET record = EXCLUDED.record, record_hash = EXCLUDED.record_hash, label = EXCLUDED.label,
           pending = dataset_item.pending OR dataset_item.record_hash <> EXCLUDED.record_hash, updated_at = now()`,
        [l.itemId, l.projectId, record, hash, record.split, record.label, l.modelId, l.modelVersion, l.sourceEventId],
      );
      lastTrace.set(l.projectId, ev.traceparent);
    }
    for (const [datasetId, traceparent] of lastTrace) {
      const [{ n }]: { n: number }[] = await em.query('SELECT count(*)::int AS n FROM dataset_item WHERE dataset_id = $1 AND pending', [datasetId]);
      if (n >= this.config.REGISTRY_CUT_EVERY) await this.cutVersion(em, datasetId, n, traceparent);
    }
  }

  private async cutVersion(em: EntityManager, datasetId: string, newItems: number, traceparent?: string): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`labelloop.registry.cut.${datasetId}`]);
    const items: { item_id: string; record: ItemRecord; record_hash: string; model_id: string; model_version: string }[] = await em.query(
      'SELECT item_id, record, record_hash, model_id, model_version FROM dataset_item WHERE dataset_id = $1',
      [datasetId],
    );
    const versionId = merkleRoot(items.map((i) => ({ itemId: i.item_id, hash: i.record_hash })));
    const [parent]: { version_id: string; number: number }[] = await em.query(
      'SELECT version_id, number FROM dataset_version WHERE dataset_id = $1 ORDER BY number DESC LIMIT 1',
      [datasetId],
    );
    await em.query('UPDATE dataset_item SET pending = false WHERE dataset_id = $1 AND pending', [datasetId]);
    if (parent?.version_id === versionId) return; // changes cancelled out: same content, same version

    const counts = new Map<string, { split: string; label: string; count: number }>();
    const modelCount = new Map<string, number>();
    for (const i of items) {
      const k = `${i.record.split}\u0000${i.record.label}`;
      const c = counts.get(k) ?? { split: i.record.split, label: i.record.label, count: 0 };
      c.count++;
      counts.set(k, c);
      modelCount.set(i.model_id, (modelCount.get(i.model_id) ?? 0) + 1);
    }
    const modelId = [...modelCount].sort((a, b) => b[1] - a[1])[0][0];
    const modelVersions = [...new Set(items.map((i) => `${i.model_id}@${i.model_version}`))].sort();
    const exported = await exportJsonl(this.config.REGISTRY_EXPORT_DIR, datasetId, versionId, items.map((i) => i.record));
    const number = (parent?.number ?? 0) + 1;
    const countList = [...counts.values()].sort((a, b) => (a.split + a.label < b.split + b.label ? -1 : 1));
    await em.query(
      `INSERT INTO dataset_version (version_id, dataset_id, number, parent_version_id, item_count, new_items, counts, export_uri, manifest_sha256, model_id, model_versions)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [versionId, datasetId, number, parent?.version_id ?? null, items.length, newItems, JSON.stringify(countList), exported.uri, exported.manifestSha256, modelId, modelVersions],
    );
    await em.query(
      `INSERT INTO dataset_version_item (dataset_id, version_id, item_id, record_hash) SELECT dataset_id, $2, item_id, record_hash FROM dataset_item WHERE dataset_id = $1`,
      [datasetId, versionId],
    );
    await this.outbox.emit(em, {
      topic: Topics.datasetApproved,
      key: datasetId,
      schema: DatasetApprovedSchema,
      id: `dataset-approved:${datasetId}:${versionId}`,
      traceparent,
      message: {
        datasetId,
        versionId,
        versionNumber: BigInt(number),
        parentVersionId: parent?.version_id ?? '',
        itemCount: BigInt(items.length),
        counts: countList.map((c) => ({ split: c.split, label: c.label, count: BigInt(c.count) })),
        exportUri: exported.uri,
        manifestSha256: exported.manifestSha256,
        modelVersions,
        approvedAt: timestampFromDate(new Date()),
        newItems: BigInt(newItems),
        modelId,
      },
    });
  }
}
