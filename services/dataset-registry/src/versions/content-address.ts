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

/**
 * The fields of an item that define a dataset's content: input reference, content hash, final
 * label, QA figures and split. Box-labelled items also carry their boxes (`label` is then the
 * sorted distinct box classes joined with `|`).
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

/** The classes an item counts towards: its label, or each distinct box class. */
export function classesOf(r: Pick<ItemRecord, 'label' | 'boxes'>): string[] {
  if (r.boxes && r.boxes.length > 0) return [...new Set(r.boxes.map((b) => b.label))].sort();
  return [r.label];
}

/** The class a new split group is stratified by: the first class of its first item. */
export function stratumOf(r: Pick<ItemRecord, 'label' | 'boxes'>): string {
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
