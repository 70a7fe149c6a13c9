import { EntityManager, queryRows } from '@labelloop/persistence';
import type { ItemRecord } from '../versions/content-address';

/** A `dataset_item` row as the item writer reads it. */
export interface ItemRow {
  item_id: string;
  dataset_id: string;
  record: ItemRecord;
  record_hash: string;
  split: string;
  group_key: string;
  confidence: number;
  agreement: number;
  audit_sample: boolean;
  guideline_version: string;
  model_id: string;
  model_version: string;
  trigger: string;
  strategy: string;
  qa_policy_version: string;
  annotators: string[];
  pending: boolean;
}

/** A `dataset_item` row as the item writer writes it. */
export interface ItemWrite extends ItemRow {
  label: string;
  source_event_id: string;
  label_event_id: string;
  /** Serialized FeatureVector of the prediction, or null when the event carried none (an older one is kept). */
  features: Buffer | null;
}

/** An item changed since the last cut. */
export interface PendingItem {
  item_id: string;
  record_hash: string;
  source_event_id: string;
  label_event_id: string | null;
}

/** `dataset_item`: the latest record of each item of each dataset, with its group, QA figures, lineage and model inputs. */
export const datasetItems = {
  /** Items changed since the last cut. */
  async pendingCount(em: EntityManager, datasetId: string): Promise<number> {
    const [{ n }] = await queryRows<{ n: number }>(em, 'SELECT count(*)::int AS n FROM dataset_item WHERE dataset_id = $1 AND pending', [datasetId]);
    return n;
  },

  /** Items already in a cut. */
  async settledCount(em: EntityManager, datasetId: string): Promise<number> {
    const [{ n }] = await queryRows<{ n: number }>(em, 'SELECT count(*)::int AS n FROM dataset_item WHERE dataset_id = $1 AND NOT pending', [datasetId]);
    return n;
  },

  async pending(em: EntityManager, datasetId: string): Promise<PendingItem[]> {
    return queryRows<PendingItem>(em, 'SELECT item_id, record_hash, source_event_id, label_event_id FROM dataset_item WHERE dataset_id = $1 AND pending', [
      datasetId,
    ]);
  },

  /** Every item of a dataset with its record hash. */
  async entries(em: EntityManager, datasetId: string): Promise<{ item_id: string; record_hash: string }[]> {
    return queryRows<{ item_id: string; record_hash: string }>(em, 'SELECT item_id, record_hash FROM dataset_item WHERE dataset_id = $1', [datasetId]);
  },

  async clearPending(em: EntityManager, datasetId: string): Promise<void> {
    await em.query('UPDATE dataset_item SET pending = false WHERE dataset_id = $1 AND pending', [datasetId]);
  },

  /** These items (dataset, item id) as stored, locked for update until the transaction ends. */
  async lockMany(em: EntityManager, keys: { datasetId: string; itemId: string }[]): Promise<ItemRow[]> {
    return queryRows<ItemRow>(
      em,
      `SELECT item_id, dataset_id, record, record_hash, split, group_key, confidence, agreement, audit_sample, guideline_version,
              model_id, model_version, trigger, strategy, qa_policy_version, annotators, pending
         FROM dataset_item WHERE (dataset_id, item_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) FOR UPDATE`,
      [keys.map((k) => k.datasetId), keys.map((k) => k.itemId)],
    );
  },

  /** Inserts or replaces items (features absent from a write keep the stored ones). */
  async upsertMany(em: EntityManager, rows: ItemWrite[]): Promise<void> {
    const col = <K extends keyof ItemWrite>(k: K) => rows.map((r) => r[k]);
    await em.query(
      `INSERT INTO dataset_item (item_id, dataset_id, record, record_hash, split, label, model_id, model_version, source_event_id, label_event_id,
                                 group_key, confidence, agreement, audit_sample, guideline_version, trigger, strategy, qa_policy_version, annotators, pending, features, updated_at)
       SELECT *, now() FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                            $11::text[], $12::float8[], $13::float8[], $14::boolean[], $15::text[], $16::text[], $17::text[], $18::text[], $19::jsonb[], $20::boolean[], $21::bytea[])
       ON CONFLICT (dataset_id, item_id) DO UPDATE SET record = EXCLUDED.record, record_hash = EXCLUDED.record_hash, label = EXCLUDED.label,
         model_id = EXCLUDED.model_id, model_version = EXCLUDED.model_version, source_event_id = EXCLUDED.source_event_id, label_event_id = EXCLUDED.label_event_id,
         group_key = EXCLUDED.group_key, confidence = EXCLUDED.confidence, agreement = EXCLUDED.agreement, audit_sample = EXCLUDED.audit_sample,
         guideline_version = EXCLUDED.guideline_version, trigger = EXCLUDED.trigger, strategy = EXCLUDED.strategy, qa_policy_version = EXCLUDED.qa_policy_version,
         annotators = EXCLUDED.annotators, pending = EXCLUDED.pending, features = coalesce(EXCLUDED.features, dataset_item.features), updated_at = now()`,
      [
        col('item_id'),
        col('dataset_id'),
        rows.map((r) => JSON.stringify(r.record)),
        col('record_hash'),
        col('split'),
        col('label'),
        col('model_id'),
        col('model_version'),
        col('source_event_id'),
        col('label_event_id'),
        col('group_key'),
        col('confidence'),
        col('agreement'),
        col('audit_sample'),
        col('guideline_version'),
        col('trigger'),
        col('strategy'),
        col('qa_policy_version'),
        rows.map((r) => JSON.stringify(r.annotators)),
        col('pending'),
        col('features'),
      ],
    );
  },

  /** The model inputs of a dataset's items (features as predicted on, model version). */
  async modelInputs(em: EntityManager, datasetId: string, itemIds: string[]): Promise<{ item_id: string; features: Buffer | null; model_version: string }[]> {
    return queryRows<{ item_id: string; features: Buffer | null; model_version: string }>(
      em,
      'SELECT item_id, features, model_version FROM dataset_item WHERE dataset_id = $1 AND item_id = ANY($2)',
      [datasetId, itemIds],
    );
  },
};
