import { Inject, Injectable } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { toBinary } from '@bufbuild/protobuf';
import { FeatureVectorSchema, hasFeatures, type LabelAccepted } from '@labelloop/contracts';
import { ConsumedEvent, PoisonMessageError } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, LOGGER } from '@labelloop/runtime';
import { pseudonymSecret, RegistryConfig } from '../registry.config';
import { assignSplit, BoxRecord, classesOf, groupKeyOf, ItemRecord, pseudonymise, recordHash, stratumOf } from './content-address';

/** The classification label of an event (classes sorted, joined with `|`), or the box classes. */
export function labelOf(l: LabelAccepted): string {
  if (l.label?.value.case === 'classification') return [...l.label.value.value.classes].sort().join('|');
  if (l.label?.value.case === 'boxes') return [...new Set(l.label.value.value.boxes.map((b) => b.label))].sort().join('|');
  return '';
}

/** The boxes of a box-labelled event. */
export function boxesOf(l: LabelAccepted): BoxRecord[] | undefined {
  if (l.label?.value.case !== 'boxes') return undefined;
  return l.label.value.value.boxes.map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height, label: b.label }));
}

/** Serialises work on one dataset: item writes and cuts of the same dataset never interleave. */
export async function lockDataset(em: EntityManager, datasetId: string): Promise<void> {
  await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`labelloop.registry.dataset.${datasetId}`]);
}

interface ItemRow {
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
  /** Serialized FeatureVector of the prediction, or null when the event carried none. */
  features: Buffer | null;
}

/** Running counts an item contributes to (facet → values): its split and its lineage. */
function facetsOf(i: Pick<ItemRow, 'split' | 'guideline_version' | 'model_id' | 'model_version' | 'trigger' | 'strategy' | 'qa_policy_version' | 'annotators'>): [string, string][] {
  const out: [string, string][] = [
    ['split', i.split],
    ['guideline', i.guideline_version],
    ['model', `${i.model_id}@${i.model_version}`],
    ['model_id', i.model_id],
    ['trigger', i.trigger],
    ['strategy', i.strategy],
    ['qa_policy', i.qa_policy_version],
    ...i.annotators.map((a): [string, string] => ['annotator', a]),
  ];
  return out.filter(([, v]) => v !== '' && v !== '@');
}

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
    const last = new Map<string, ConsumedEvent<LabelAccepted>>();
    for (const ev of events) last.set(ev.message.itemId, ev); // a later label of the same item wins
    const touched = new Map<string, string | undefined>();
    for (const ev of last.values()) touched.set(ev.message.projectId, ev.traceparent);
    for (const ds of [...touched.keys()].sort()) await lockDataset(em, ds);

    const ids = [...last.keys()];
    const existing = new Map<string, ItemRow>(
      ((await em.query(
        `SELECT item_id, dataset_id, record, record_hash, split, group_key, confidence, agreement, audit_sample, guideline_version,
                model_id, model_version, trigger, strategy, qa_policy_version, annotators, pending
           FROM dataset_item WHERE item_id = ANY($1::text[]) FOR UPDATE`,
        [ids],
      )) as ItemRow[]).map((r) => [r.item_id, r]),
    );
    for (const ev of last.values()) {
      const old = existing.get(ev.message.itemId);
      if (old && old.dataset_id !== ev.message.projectId) {
        throw new PoisonMessageError(ev.id, `item ${ev.message.itemId} belongs to dataset ${old.dataset_id}, not ${ev.message.projectId}`);
      }
    }

    // Split groups: an existing group keeps its split; a new one gets a hashed, class-stratified split.
    const wanted = [...new Set(events.map((ev) => `${ev.message.projectId}\u0000${groupKeyOf({ contentHash: ev.message.contentHash, itemId: ev.message.itemId })}`))].map((k) =>
      k.split('\u0000'),
    );
    const groups = new Map<string, string>(
      ((await em.query(
        `SELECT g.dataset_id, g.group_key, g.split FROM dataset_group g JOIN unnest($1::text[], $2::text[]) AS w(d, k) ON g.dataset_id = w.d AND g.group_key = w.k`,
        [wanted.map((w) => w[0]), wanted.map((w) => w[1])],
      )) as { dataset_id: string; group_key: string; split: string }[]).map((g) => [`${g.dataset_id}\u0000${g.group_key}`, g.split]),
    );
    // A new group's split comes from the first event of the group in partition order (not the
    // last event of the batch), so it does not depend on how events were batched.
    const newGroups: [string, string, string][] = [];
    for (const ev of events) {
      const l = ev.message;
      const gk = groupKeyOf({ contentHash: l.contentHash, itemId: l.itemId });
      const gKey = `${l.projectId}\u0000${gk}`;
      if (groups.has(gKey)) continue;
      const split =
        existing.get(l.itemId)?.split ??
        assignSplit(gk, l.auditSample, this.config.REGISTRY_TRAIN_PCT, this.config.REGISTRY_VALIDATION_PCT, stratumOf({ label: labelOf(l), boxes: boxesOf(l) }));
      groups.set(gKey, split);
      newGroups.push([l.projectId, gk, split]);
    }

    const rows: (ItemRow & { source_event_id: string; label_event_id: string; label: string })[] = [];
    const classDelta = new Map<string, number>();
    const facetDelta = new Map<string, number>();
    // QA sums: one contribution per row taken out / put in, summed by PostgreSQL as exact numerics.
    const contrib: { ds: string; items: number; conf: string; agree: string; audit: number }[] = [];
    const becamePending = new Set<string>();
    const add = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);

    for (const [id, ev] of last) {
      const l = ev.message;
      const old = existing.get(id);
      const gk = groupKeyOf({ contentHash: l.contentHash, itemId: id });
      const gKey = `${l.projectId}\u0000${gk}`;
      const boxes = boxesOf(l);
      const label = labelOf(l);
      const split = old?.split ?? groups.get(gKey);
      if (!split) throw new Error(`no split for group ${gk}`);
      const record: ItemRecord = { itemId: id, inputUri: l.inputUri, contentHash: l.contentHash, label, split, confidence: l.confidence, agreement: l.agreement };
      if (boxes) record.boxes = boxes;
      const hash = recordHash(record);
      const row = {
        item_id: id,
        dataset_id: l.projectId,
        record,
        record_hash: hash,
        split,
        group_key: gk,
        confidence: l.confidence,
        agreement: l.agreement,
        audit_sample: l.auditSample,
        guideline_version: l.guidelineVersion,
        model_id: l.modelId,
        model_version: l.modelVersion,
        trigger: l.trigger,
        strategy: l.strategy,
        qa_policy_version: l.qaPolicyVersion,
        annotators: [...new Set(l.annotatorIds.map((a) => pseudonymise(this.secret, a)))].sort(),
        pending: !old || old.pending || old.record_hash !== hash,
        source_event_id: l.sourceEventId,
        label_event_id: ev.id,
        label,
        features: hasFeatures(l.features) ? Buffer.from(toBinary(FeatureVectorSchema, l.features)) : null,
      };
      rows.push(row);
      if (!old || old.record_hash !== hash) becamePending.add(l.projectId);

      // Running figures: take the old row out, put the new one in.
      if (old) {
        for (const c of classesOf(old.record)) add(classDelta, `${old.dataset_id}\u0000${old.split}\u0000${c}`, -1);
        for (const [f, v] of facetsOf(old)) add(facetDelta, `${old.dataset_id}\u0000${f}\u0000${v}`, -1);
        contrib.push({ ds: old.dataset_id, items: -1, conf: String(-old.confidence), agree: String(-old.agreement), audit: old.audit_sample ? -1 : 0 });
      }
      for (const c of classesOf(record)) add(classDelta, `${row.dataset_id}\u0000${split}\u0000${c}`, 1);
      for (const [f, v] of facetsOf(row)) add(facetDelta, `${row.dataset_id}\u0000${f}\u0000${v}`, 1);
      contrib.push({ ds: row.dataset_id, items: 1, conf: String(row.confidence), agree: String(row.agreement), audit: row.audit_sample ? 1 : 0 });
    }

    if (newGroups.length > 0) {
      await em.query(
        `INSERT INTO dataset_group (dataset_id, group_key, split) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [newGroups.map((g) => g[0]), newGroups.map((g) => g[1]), newGroups.map((g) => g[2])],
      );
    }
    const uniqueRecords = [...new Map(rows.map((r) => [r.record_hash, r.record])).entries()];
    await em.query(`INSERT INTO dataset_record (record_hash, record) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT DO NOTHING`, [
      uniqueRecords.map((r) => r[0]),
      uniqueRecords.map((r) => JSON.stringify(r[1])),
    ]);
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    await em.query(
      `INSERT INTO dataset_item (item_id, dataset_id, record, record_hash, split, label, model_id, model_version, source_event_id, label_event_id,
                                 group_key, confidence, agreement, audit_sample, guideline_version, trigger, strategy, qa_policy_version, annotators, pending, features, updated_at)
       SELECT *, now() FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                            $11::text[], $12::float8[], $13::float8[], $14::boolean[], $15::text[], $16::text[], $17::text[], $18::text[], $19::jsonb[], $20::boolean[], $21::bytea[])
       ON CONFLICT (item_id) DO UPDATE SET record = EXCLUDED.record, record_hash = EXCLUDED.record_hash, label = EXCLUDED.label,
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

    const cd = [...classDelta].filter(([, d]) => d !== 0).map(([k, d]) => [...k.split('\u0000'), d] as [string, string, string, number]);
    if (cd.length > 0) {
      await em.query(
        `INSERT INTO dataset_class_count (dataset_id, split, label, n) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
         ON CONFLICT (dataset_id, split, label) DO UPDATE SET n = dataset_class_count.n + EXCLUDED.n`,
        [cd.map((c) => c[0]), cd.map((c) => c[1]), cd.map((c) => c[2]), cd.map((c) => c[3])],
      );
    }
    const fd = [...facetDelta].filter(([, d]) => d !== 0).map(([k, d]) => [...k.split('\u0000'), d] as [string, string, string, number]);
    if (fd.length > 0) {
      await em.query(
        `INSERT INTO dataset_facet (dataset_id, facet, value, n) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
         ON CONFLICT (dataset_id, facet, value) DO UPDATE SET n = dataset_facet.n + EXCLUDED.n`,
        [fd.map((c) => c[0]), fd.map((c) => c[1]), fd.map((c) => c[2]), fd.map((c) => c[3])],
      );
    }
    // Each double enters as its shortest decimal and leaves as the same decimal: no drift.
    await em.query(
      `INSERT INTO dataset_stats (dataset_id, items, sum_confidence, sum_agreement, audit_items)
       SELECT d, sum(n), sum(c), sum(a), sum(au) FROM unnest($1::text[], $2::bigint[], $3::numeric[], $4::numeric[], $5::bigint[]) AS t(d, n, c, a, au) GROUP BY d
       ON CONFLICT (dataset_id) DO UPDATE SET items = dataset_stats.items + EXCLUDED.items, sum_confidence = dataset_stats.sum_confidence + EXCLUDED.sum_confidence,
         sum_agreement = dataset_stats.sum_agreement + EXCLUDED.sum_agreement, audit_items = dataset_stats.audit_items + EXCLUDED.audit_items`,
      [contrib.map((c) => c.ds), contrib.map((c) => c.items), contrib.map((c) => c.conf), contrib.map((c) => c.agree), contrib.map((c) => c.audit)],
    );
    if (becamePending.size > 0) {
      await em.query(
        `INSERT INTO dataset_head (dataset_id, first_pending_at) SELECT d, now() FROM unnest($1::text[]) AS d
         ON CONFLICT (dataset_id) DO UPDATE SET first_pending_at = coalesce(dataset_head.first_pending_at, now())`,
        [[...becamePending]],
      );
    }
    return touched;
  }
}
