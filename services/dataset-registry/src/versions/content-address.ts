import { createHash, createHmac } from 'node:crypto';

/** How version ids are computed (announced in DatasetApproved.hash_scheme). */
export const HASH_SCHEME = 'labelloop-merkle-v1';

export type Split = 'train' | 'validation' | 'test';
export const SPLITS: readonly Split[] = ['train', 'validation', 'test'];

/** One bounding box of a box-labelled item (pixels). */
export interface BoxRecord {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
}

/** One labelled character range `[start, end)` of a span-labelled item's text. */
export interface SpanRecord {
  start: number;
  end: number;
  label: string;
}

/**
 * The fields of an item that define a dataset's content: input reference, content hash, final
 * label, QA figures and split, plus the whole label of the other task types, so any change of
 * the label is a change of the record (a relabel):
 * - box items carry `boxes` (`label` = the sorted distinct box classes joined with `|`) and,
 *   when the event had it, the image size (`imageWidth`, `imageHeight`, pixels);
 * - span items carry `spans` (`label` = the sorted distinct span labels joined with `|`, empty
 *   for a text without entities) and the text the offsets point into (`contentText`);
 * - free-text items carry the answer in `text` (`label` is empty) and `contentText`;
 * - preference items carry `chosen` (`a` or `b`, also the `label`) and `contentText`, the
 *   item's JSON `{"prompt","a","b"}`.
 * Fields that are absent are left out of the record (and of its hash), so records of
 * classification items hash as they always did.
 */
export interface ItemRecord {
  itemId: string;
  inputUri: string;
  contentHash: string;
  label: string;
  split: string;
  confidence: number;
  agreement: number;
  boxes?: BoxRecord[];
  spans?: SpanRecord[];
  text?: string;
  chosen?: string;
  contentText?: string;
  imageWidth?: number;
  imageHeight?: number;
}

/** The task type of a record, from the label fields it carries. */
export type LabelType = 'classification' | 'spans' | 'boxes' | 'text' | 'preference';
export function labelTypeOf(r: Pick<ItemRecord, 'boxes' | 'spans' | 'text' | 'chosen'>): LabelType {
  if (r.boxes) return 'boxes';
  if (r.spans) return 'spans';
  if (r.text !== undefined) return 'text';
  if (r.chosen !== undefined) return 'preference';
  return 'classification';
}

/** The whole label of a record (canonical JSON): two records are the same label iff these are equal. */
export function labelKeyOf(r: Pick<ItemRecord, 'label' | 'boxes' | 'spans' | 'text' | 'chosen'>): string {
  return canonicalJson({ label: r.label, boxes: r.boxes, spans: r.spans, text: r.text, chosen: r.chosen });
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** Canonical JSON (keys sorted) so the same record always hashes the same, on any machine. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hash of one item record: sha256 of its canonical JSON (= sha256 of its JSONL export line). */
export function recordHash(r: ItemRecord): string {
  return sha256(canonicalJson(r));
}

/**
 * The classes an item counts towards: its label, each distinct box or span class, the chosen
 * side of a preference; none for free text and for a text without entities.
 */
export function classesOf(r: Pick<ItemRecord, 'label' | 'boxes' | 'spans' | 'text'>): string[] {
  if (r.boxes && r.boxes.length > 0) return [...new Set(r.boxes.map((b) => b.label))].sort();
  if (r.spans) return [...new Set(r.spans.map((s) => s.label))].sort();
  if (r.text !== undefined) return [];
  return [r.label];
}

/** The class a new split group is stratified by: the first class of its first item. */
export function stratumOf(r: Pick<ItemRecord, 'label' | 'boxes' | 'spans' | 'text'>): string {
  return classesOf(r)[0] ?? '';
}

/**
 * Deterministic split from a group key: the same key always lands in the same split, so an
 * item never moves between training and evaluation across versions. Audit samples always go
 * to test (they are the unbiased evaluation set).
 *
 * Stratification: with a `stratum` (the class), the bucket is a hash of (class, group key),
 * so each class is split independently and keeps the configured shares in expectation (with
 * binomial spread: about ±sqrt(p(1-p)/n)). Exact per-class shares would need an order-dependent
 * assignment, which would make version ids depend on the order events arrived in; hashing
 * keeps them a function of the content only. Without a stratum it is the original hash of the
 * group key alone.
 */
export function assignSplit(groupKey: string, audit: boolean, trainPct: number, validationPct: number, stratum?: string): Split {
  if (audit) return 'test';
  const seed = stratum === undefined ? `split:${groupKey}` : `split:${stratum}\u0000${groupKey}`;
  const bucket = parseInt(sha256(seed).slice(0, 8), 16) % 100;
  if (bucket < trainPct) return 'train';
  if (bucket < trainPct + validationPct) return 'validation';
  return 'test';
}

/**
 * The group an item belongs to for leakage purposes: items of one group always share a split.
 * The content hash (exact duplicates are one group), else a metadata `source` when the event
 * has one, else the item itself.
 */
export function groupKeyOf(item: { contentHash?: string; source?: string; itemId: string }): string {
  if (item.source) return `source:${item.source}`;
  if (item.contentHash) return item.contentHash;
  return `item:${item.itemId}`;
}

/** Pseudonym of an annotator id: HMAC-SHA256 with the registry's secret, not reversible without it. */
export function pseudonymise(secret: string, annotatorId: string): string {
  return `anon-${createHmac('sha256', secret).update(annotatorId).digest('hex').slice(0, 20)}`;
}

/** The prompt and the two outputs of a preference item (its content text), or undefined when it is not that JSON. */
export function preferencePairOf(contentText: string | undefined): { prompt: string; a: string; b: string } | undefined {
  if (!contentText) return undefined;
  try {
    const v = JSON.parse(contentText) as Record<string, unknown>;
    if (v && typeof v.prompt === 'string' && typeof v.a === 'string' && typeof v.b === 'string') return { prompt: v.prompt, a: v.a, b: v.b };
  } catch {
    // not JSON
  }
  return undefined;
}
