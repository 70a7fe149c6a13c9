import { createHash } from 'node:crypto';

/** The fields of an item that define a dataset's content. */
export interface ItemRecord {
  itemId: string;
  inputUri: string;
  contentHash: string;
  label: string;
  split: string;
  confidence: number;
  agreement: number;
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** Canonical JSON (keys sorted) so the same record always hashes the same, on any machine. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hash of one item record. */
export function recordHash(r: ItemRecord): string {
  return sha256(canonicalJson(r));
}

/**
 * Merkle root over (item id, record hash) leaves sorted by item id: the version id. The same
 * set of records always gives the same root; any added, removed or changed record changes it.
 */
export function merkleRoot(leaves: { itemId: string; hash: string }[]): string {
  if (leaves.length === 0) return sha256('labelloop:empty');
  let level = [...leaves]
    .sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0))
    .map((l) => sha256(`leaf:${l.itemId}:${l.hash}`));
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? sha256(`node:${level[i]}${level[i + 1]}`) : level[i]);
    level = next;
  }
  return level[0];
}

/**
 * Deterministic split from a group key: the same key always lands in the same split, so an
 * item never moves between training and evaluation across versions. Audit samples always go
 * to test (they are the unbiased evaluation set).
 */
export function assignSplit(groupKey: string, audit: boolean, trainPct: number, validationPct: number): 'train' | 'validation' | 'test' {
  if (audit) return 'test';
  const bucket = parseInt(sha256(`split:${groupKey}`).slice(0, 8), 16) % 100;
  if (bucket < trainPct) return 'train';
  if (bucket < trainPct + validationPct) return 'validation';
  return 'test';
}
