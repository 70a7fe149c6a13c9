import { toBinary } from '@bufbuild/protobuf';
import { FeatureVectorSchema, hasFeatures, type LabelAccepted } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import type { ClassCountDelta } from '../repositories/dataset-class-count.repository';
import type { FacetDelta } from '../repositories/dataset-facet.repository';
import type { GroupSplit } from '../repositories/dataset-group.repository';
import type { ItemRow, ItemWrite } from '../repositories/dataset-item.repository';
import type { StatsContribution } from '../repositories/dataset-stats.repository';
import { assignSplit, BoxRecord, classesOf, groupKeyOf, ItemRecord, pseudonymise, recordHash, stratumOf } from './content-address';

/**
 * The label of an event as the record keeps it: `label` (classes sorted and joined with `|`,
 * the distinct box or span classes, the chosen side of a preference, empty for free text) and
 * the type's own fields (boxes, spans, text, chosen) with the item's text and image size when
 * the event carried them. Undefined when the event has no label.
 */
export function labelFieldsOf(
  l: LabelAccepted,
): Pick<ItemRecord, 'label' | 'boxes' | 'spans' | 'text' | 'chosen' | 'contentText' | 'imageWidth' | 'imageHeight'> | undefined {
  const v = l.label?.value;
  const distinct = (xs: { label: string }[]) => [...new Set(xs.map((x) => x.label))].sort().join('|');
  const context = {
    ...(l.contentText ? { contentText: l.contentText } : {}),
    ...(l.imageWidth > 0 && l.imageHeight > 0 ? { imageWidth: l.imageWidth, imageHeight: l.imageHeight } : {}),
  };
  switch (v?.case) {
    case 'classification':
      return { label: [...v.value.classes].sort().join('|'), ...context };
    case 'boxes': {
      const boxes = v.value.boxes.map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height, label: b.label }));
      return { label: distinct(boxes), boxes, ...context };
    }
    case 'spans': {
      const spans = v.value.spans
        .map((s) => ({ start: s.start, end: s.end, label: s.label }))
        .sort((a, b) => a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
      return { label: distinct(spans), spans, ...context };
    }
    case 'text':
      return { label: '', text: v.value, ...context };
    case 'preference':
      return { label: v.value.chosen, chosen: v.value.chosen, ...context };
    default:
      return undefined;
  }
}

/** The `label` of an event's record (see labelFieldsOf); empty when it has none. */
export function labelOf(l: LabelAccepted): string {
  return labelFieldsOf(l)?.label ?? '';
}

/** The boxes of a box-labelled event. */
export function boxesOf(l: LabelAccepted): BoxRecord[] | undefined {
  return labelFieldsOf(l)?.boxes;
}

/** Running counts an item contributes to (facet → values): its split and its lineage. */
function facetsOf(
  i: Pick<ItemRow, 'split' | 'guideline_version' | 'model_id' | 'model_version' | 'trigger' | 'strategy' | 'qa_policy_version' | 'annotators'>,
): [string, string][] {
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
 * Key of an item in its dataset. Item ids come from the content alone, so the same id may be
 * an item of several datasets (the same input accepted in several projects).
 */
export const itemKey = (datasetId: string, itemId: string): string => `${datasetId}\u0000${itemId}`;

/**
 * The last event of each item of each dataset in a batch (a later label of the same item
 * supersedes an earlier one), by {@link itemKey}, in order of first appearance.
 */
export function latestPerItem(events: ConsumedEvent<LabelAccepted>[]): Map<string, ConsumedEvent<LabelAccepted>> {
  const last = new Map<string, ConsumedEvent<LabelAccepted>>();
  for (const ev of events) last.set(itemKey(ev.message.projectId, ev.message.itemId), ev);
  return last;
}

/** The datasets a batch touches, with the traceparent of their last event. */
export function touchedDatasets(events: ConsumedEvent<LabelAccepted>[]): Map<string, string | undefined> {
  const touched = new Map<string, string | undefined>();
  for (const ev of latestPerItem(events).values()) touched.set(ev.message.projectId, ev.traceparent);
  return touched;
}

/** The (dataset, group) pairs of a batch's items, each once, whose stored splits a plan needs. */
export function groupsOf(events: ConsumedEvent<LabelAccepted>[]): { datasetId: string; groupKey: string }[] {
  const keys = new Set(events.map((ev) => `${ev.message.projectId}\u0000${groupKeyOf({ contentHash: ev.message.contentHash, itemId: ev.message.itemId })}`));
  return [...keys].map((k) => {
    const [datasetId, groupKey] = k.split('\u0000');
    return { datasetId, groupKey };
  });
}

/** How splits and pseudonyms are assigned. */
export interface WritePolicy {
  trainPct: number;
  validationPct: number;
  /** Key of the annotator pseudonyms. */
  pseudonymSecret: string;
}

/** Everything one batch of accepted labels writes. */
export interface WritePlan {
  /** Groups seen for the first time, with the split they get. */
  newGroups: GroupSplit[];
  /** Records by hash, each once. */
  records: [hash: string, record: ItemRecord][];
  items: ItemWrite[];
  /** Non-zero changes of the class counts and facet counts (old rows taken out, new ones put in). */
  classCounts: ClassCountDelta[];
  facets: FacetDelta[];
  stats: StatsContribution[];
  /** Datasets that now have a change pending (a new item, or a record that differs). */
  becamePending: string[];
}

/**
 * Plans the writes of a batch of accepted labels, given the stored rows of its items and the
 * stored splits of its groups. An item's split never changes; a group's split is decided
 * once, from the first event of the group in partition order (not the last event of the
 * batch), so it does not depend on how events were batched. Datasets are independent: the
 * same item id in another dataset is another item.
 */
export function planWrites(events: ConsumedEvent<LabelAccepted>[], stored: ItemRow[], storedGroups: GroupSplit[], policy: WritePolicy): WritePlan {
  const last = latestPerItem(events);
  const existing = new Map(stored.map((r) => [itemKey(r.dataset_id, r.item_id), r]));

  // Split groups: an existing group keeps its split; a new one gets a hashed, class-stratified split.
  const groups = new Map(storedGroups.map((g) => [`${g.datasetId}\u0000${g.groupKey}`, g.split]));
  const newGroups: GroupSplit[] = [];
  for (const ev of events) {
    const l = ev.message;
    const gk = groupKeyOf({ contentHash: l.contentHash, itemId: l.itemId });
    const gKey = `${l.projectId}\u0000${gk}`;
    if (groups.has(gKey)) continue;
    const split =
      existing.get(itemKey(l.projectId, l.itemId))?.split ??
      assignSplit(gk, l.auditSample, policy.trainPct, policy.validationPct, stratumOf(labelFieldsOf(l) ?? { label: '' }));
    groups.set(gKey, split);
    newGroups.push({ datasetId: l.projectId, groupKey: gk, split });
  }

  const items: ItemWrite[] = [];
  const classDelta = new Map<string, number>();
  const facetDelta = new Map<string, number>();
  // QA sums: one contribution per row taken out / put in, summed by PostgreSQL as exact numerics.
  const stats: StatsContribution[] = [];
  const becamePending = new Set<string>();
  const add = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);

  for (const [key, ev] of last) {
    const l = ev.message;
    const id = l.itemId;
    const old = existing.get(key);
    const gk = groupKeyOf({ contentHash: l.contentHash, itemId: id });
    const fields = labelFieldsOf(l) ?? { label: '' };
    const label = fields.label;
    const split = old?.split ?? groups.get(`${l.projectId}\u0000${gk}`);
    if (!split) throw new Error(`no split for group ${gk}`);
    const record: ItemRecord = {
      itemId: id,
      inputUri: l.inputUri,
      contentHash: l.contentHash,
      split,
      confidence: l.confidence,
      agreement: l.agreement,
      ...fields,
    };
    const hash = recordHash(record);
    const row: ItemWrite = {
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
      annotators: [...new Set(l.annotatorIds.map((a) => pseudonymise(policy.pseudonymSecret, a)))].sort(),
      pending: !old || old.pending || old.record_hash !== hash,
      source_event_id: l.sourceEventId,
      label_event_id: ev.id,
      label,
      features: hasFeatures(l.features) ? Buffer.from(toBinary(FeatureVectorSchema, l.features)) : null,
    };
    items.push(row);
    if (!old || old.record_hash !== hash) becamePending.add(l.projectId);

    // Running figures: take the old row out, put the new one in.
    if (old) {
      for (const c of classesOf(old.record)) add(classDelta, `${old.dataset_id}\u0000${old.split}\u0000${c}`, -1);
      for (const [f, v] of facetsOf(old)) add(facetDelta, `${old.dataset_id}\u0000${f}\u0000${v}`, -1);
      stats.push({
        datasetId: old.dataset_id,
        items: -1,
        confidence: String(-old.confidence),
        agreement: String(-old.agreement),
        auditItems: old.audit_sample ? -1 : 0,
      });
    }
    for (const c of classesOf(record)) add(classDelta, `${row.dataset_id}\u0000${split}\u0000${c}`, 1);
    for (const [f, v] of facetsOf(row)) add(facetDelta, `${row.dataset_id}\u0000${f}\u0000${v}`, 1);
    stats.push({
      datasetId: row.dataset_id,
      items: 1,
      confidence: String(row.confidence),
      agreement: String(row.agreement),
      auditItems: row.audit_sample ? 1 : 0,
    });
  }

  const nonZero = (m: Map<string, number>) => [...m].filter(([, d]) => d !== 0).map(([k, d]) => [...k.split('\u0000'), d] as [string, string, string, number]);
  return {
    newGroups,
    records: [...new Map(items.map((r) => [r.record_hash, r.record])).entries()],
    items,
    classCounts: nonZero(classDelta).map(([datasetId, split, label, delta]) => ({ datasetId, split, label, delta })),
    facets: nonZero(facetDelta).map(([datasetId, facet, value, delta]) => ({ datasetId, facet, value, delta })),
    stats,
    becamePending: [...becamePending],
  };
}
