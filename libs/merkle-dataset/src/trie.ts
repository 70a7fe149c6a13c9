import { BranchNode, BUCKET_SIZE, encodeNode, Entry, FANOUT, hashBytes, hexNibbleAt, keyHexOf, MAX_DEPTH, StoredNode, storeNode, TrieNode } from './node';
import { getNodes, NodeStore } from './store';

/** Set (`recordHash`) or remove (`null`) one item. */
export interface Change {
  itemId: string;
  recordHash: string | null;
}

/** What `diff` found between two roots. */
export interface DiffResult {
  added: Entry[];
  removed: Entry[];
  changed: { itemId: string; before: string; after: string }[];
}

/** Work done by one `applyChanges` (for metrics and benchmarks). */
export interface ApplyStats {
  /** Nodes read from the store. */
  nodesRead: number;
  /** New nodes written (nodes that already existed are shared, not rewritten). */
  nodesWritten: number;
  bytesWritten: number;
}

interface Keyed {
  itemId: string;
  recordHash: string | null;
  /** sha256(item id), hex. */
  key: string;
}
interface KeyedEntry extends Keyed {
  recordHash: string;
}

/** `map.get(key)`, or an error naming the missing node. */
function need(map: Map<string, TrieNode>, hash: string): TrieNode {
  const n = map.get(hash);
  if (!n) throw new Error(`trie node ${hash} is missing from the store`);
  return n;
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Splits key-sorted items into FANOUT runs by their nibble at `depth` (index = nibble). */
function partition<T extends { key: string }>(items: T[], depth: number): T[][] {
  const out: T[][] = Array.from({ length: FANOUT }, () => []);
  for (const it of items) out[hexNibbleAt(it.key, depth)].push(it);
  return out;
}

async function mustLoad(store: NodeStore, cache: Map<string, TrieNode>, hash: string): Promise<TrieNode> {
  let n = cache.get(hash);
  if (!n) {
    n = await store.get(hash);
    if (!n) throw new Error(`trie node ${hash} is missing from the store`);
    cache.set(hash, n);
  }
  return n;
}

/**
 * Loads whole subtrees (any number of roots) with one batched read per level. Returns
 * hash → node for every node under (and including) the roots.
 */
export async function loadSubtrees(store: NodeStore, roots: string[], cache = new Map<string, TrieNode>()): Promise<Map<string, TrieNode>> {
  let level = [...new Set(roots)];
  while (level.length > 0) {
    const missing = level.filter((h) => !cache.has(h));
    const got = await getNodes(store, missing);
    for (const h of missing) {
      const n = got.get(h);
      if (!n) throw new Error(`trie node ${h} is missing from the store`);
      cache.set(h, n);
    }
    const next = new Set<string>();
    for (const h of level) {
      const n = need(cache, h);
      if (n.kind === 'branch') for (const c of n.children) if (c !== null) next.add(c);
    }
    level = [...next];
  }
  return cache;
}

/** Loads a whole subtree with one batched read per level. */
export function loadSubtree(store: NodeStore, root: string, cache = new Map<string, TrieNode>()): Promise<Map<string, TrieNode>> {
  return loadSubtrees(store, [root], cache);
}

/** Entries of a loaded subtree in key order (synchronous: the nodes must be in `nodes`). */
function entriesOf(nodes: Map<string, TrieNode>, hash: string, out: Entry[] = []): Entry[] {
  const n = nodes.get(hash);
  if (!n) throw new Error(`trie node ${hash} is not loaded`);
  if (n.kind === 'leaf') for (const e of n.entries) out.push(e);
  else for (const c of n.children) if (c !== null) entriesOf(nodes, c, out);
  return out;
}

/** Every entry under `root`, in key order (sha256 of the item id). */
export async function collectEntries(store: NodeStore, root: string | null): Promise<Entry[]> {
  if (root === null) return [];
  return entriesOf(await loadSubtree(store, root), root);
}

/**
 * Applies changes to the trie at `root` and returns the new root (null when empty). Only the
 * paths to changed keys are rewritten; every untouched subtree is shared with the old root.
 * Reads are batched one round trip per level, and the new nodes are written with one
 * `putMany`. Cost: O(changes × depth). The result depends only on the final content: the
 * same set of (item id, record hash) pairs always gives the same root, in any order.
 */
export async function applyChanges(store: NodeStore, root: string | null, changes: Change[], stats?: ApplyStats): Promise<string | null> {
  const last = new Map<string, string | null>();
  for (const c of changes) {
    if (typeof c.itemId !== 'string') throw new Error('itemId must be a string');
    last.set(c.itemId, c.recordHash);
  }
  const keyed: Keyed[] = [...last].map(([itemId, recordHash]) => ({ itemId, recordHash, key: keyHexOf(itemId) })).sort(byKey);
  const cache = new Map<string, TrieNode>();
  const created = new Map<string, StoredNode>();
  let nodesRead = 0;

  // 1. Read every node on a changed path, one batched read per level.
  let level: { hash: string; changes: Keyed[] }[] = root !== null && keyed.length > 0 ? [{ hash: root, changes: keyed }] : [];
  for (let depth = 0; level.length > 0; depth++) {
    const got = await getNodes(
      store,
      level.map((l) => l.hash),
    );
    nodesRead += got.size;
    const next: typeof level = [];
    for (const l of level) {
      const n = got.get(l.hash);
      if (!n) throw new Error(`trie node ${l.hash} is missing from the store`);
      cache.set(l.hash, n);
      if (n.kind !== 'branch') continue;
      partition(l.changes, depth).forEach((group, nib) => {
        const child = n.children[nib];
        if (group.length > 0 && child !== null) next.push({ hash: child, changes: group });
      });
    }
    level = next;
  }

  const emit = (node: TrieNode): string => {
    const s = storeNode(node);
    created.set(s.hash, s);
    cache.set(s.hash, node);
    return s.hash;
  };

  /** The canonical subtree of the key-sorted entries [lo, hi) at `depth`. */
  const build = (depth: number, entries: KeyedEntry[], lo = 0, hi = entries.length): string | null => {
    const n = hi - lo;
    if (n === 0) return null;
    if (n <= BUCKET_SIZE || depth >= MAX_DEPTH) {
      const leaf: Entry[] = [];
      for (let i = lo; i < hi; i++) leaf.push({ itemId: entries[i].itemId, recordHash: entries[i].recordHash });
      return emit({ kind: 'leaf', count: n, entries: leaf });
    }
    const children: (string | null)[] = new Array(FANOUT).fill(null);
    // Sorted by key, so each nibble's items are one contiguous run.
    for (let i = lo; i < hi;) {
      const nib = hexNibbleAt(entries[i].key, depth);
      let j = i + 1;
      while (j < hi && hexNibbleAt(entries[j].key, depth) === nib) j++;
      children[nib] = build(depth + 1, entries, i, j);
      i = j;
    }
    return emit({ kind: 'branch', count: n, children });
  };

  /** Rewrites the subtree at `hash` with `changes` (key-sorted, all under this path). */
  const update = async (hash: string | null, depth: number, changes: Keyed[]): Promise<{ hash: string | null; count: number; before: number }> => {
    if (hash === null) {
      const entries = changes.filter((c): c is KeyedEntry => c.recordHash !== null);
      return { hash: build(depth, entries), count: entries.length, before: 0 };
    }
    const node = await mustLoad(store, cache, hash);
    if (node.kind === 'leaf') {
      const byId = new Map(node.entries.map((e) => [e.itemId, e.recordHash]));
      let dirty = false;
      for (const c of changes) {
        if (c.recordHash === null) dirty = byId.delete(c.itemId) || dirty;
        else if (byId.get(c.itemId) !== c.recordHash) {
          byId.set(c.itemId, c.recordHash);
          dirty = true;
        }
      }
      if (!dirty) return { hash, count: node.count, before: node.count };
      const known = new Map(changes.map((c) => [c.itemId, c.key]));
      const merged: KeyedEntry[] = [...byId].map(([itemId, recordHash]) => ({ itemId, recordHash, key: known.get(itemId) ?? keyHexOf(itemId) })).sort(byKey);
      return { hash: build(depth, merged), count: merged.length, before: node.count };
    }
    const children = node.children.slice();
    let count = node.count;
    const groups = partition(changes, depth);
    for (let nib = 0; nib < FANOUT; nib++) {
      if (groups[nib].length === 0) continue;
      const r = await update(children[nib], depth + 1, groups[nib]);
      children[nib] = r.hash;
      count += r.count - r.before;
    }
    if (count === 0) return { hash: null, count: 0, before: node.count };
    if (count <= BUCKET_SIZE) {
      // Too small for a branch: the canonical form is a leaf (collapse the few items left).
      const entries: KeyedEntry[] = [];
      for (const c of children) {
        if (c === null) continue;
        await loadSubtree(store, c, cache);
        for (const e of entriesOf(cache, c)) entries.push({ ...e, key: keyHexOf(e.itemId) });
      }
      return { hash: build(depth, entries.sort(byKey)), count, before: node.count };
    }
    if (children.every((c, i) => c === node.children[i])) return { hash, count, before: node.count };
    return { hash: emit({ kind: 'branch', count, children } as BranchNode), count, before: node.count };
  };

  const result = keyed.length === 0 ? root : (await update(root, 0, keyed)).hash;

  // 2. Write the new nodes reachable from the new root (intermediate ones may have been replaced).
  const toWrite: StoredNode[] = [];
  const stack = result !== null && created.has(result) ? [result] : [];
  for (let h = stack.pop(); h !== undefined; h = stack.pop()) {
    const s = created.get(h) as StoredNode;
    toWrite.push(s);
    if (s.node.kind === 'branch') for (const c of s.node.children) if (c !== null && created.has(c)) stack.push(c);
  }
  if (toWrite.length > 0) await store.putMany(toWrite);
  if (stats) {
    stats.nodesRead += nodesRead;
    stats.nodesWritten += toWrite.length;
    stats.bytesWritten += toWrite.reduce((s, n) => s + n.bytes.length, 0);
  }
  return result;
}

/** Builds a trie from scratch (the same root `applyChanges` reaches from any history). */
export function fromEntries(store: NodeStore, entries: Entry[]): Promise<string | null> {
  return applyChanges(store, null, entries);
}

/** Items under `root` (0 for the empty trie). */
export async function count(store: NodeStore, root: string | null): Promise<number> {
  if (root === null) return 0;
  const n = await store.get(root);
  if (!n) throw new Error(`trie node ${root} is missing from the store`);
  return n.count;
}

/** The record hash of `itemId` under `root`, or undefined. O(depth). */
export async function lookup(store: NodeStore, root: string | null, itemId: string): Promise<string | undefined> {
  const key = keyHexOf(itemId);
  let hash = root;
  for (let depth = 0; hash !== null; depth++) {
    const n = await store.get(hash);
    if (!n) throw new Error(`trie node ${hash} is missing from the store`);
    if (n.kind === 'leaf') return n.entries.find((e) => e.itemId === itemId)?.recordHash;
    hash = n.children[hexNibbleAt(key, depth)];
  }
  return undefined;
}

/** Options of `iterateBatches` / `iterate`. */
export interface IterateOptions {
  /** Start after this key (sha256 of an item id, as returned by `keyOf`): pagination. */
  afterKey?: Buffer;
  /** Subtrees up to this many items are read whole, one batched read per level (default 65536). */
  prefetchItems?: number;
}

/**
 * Entries under `root` in key order (sha256 of the item id), in batches. Subtrees of up to
 * `prefetchItems` items are loaded with one read per level, so a PostgreSQL store needs a few
 * round trips per 65k items rather than one per node.
 */
export async function* iterateBatches(store: NodeStore, root: string | null, opts: IterateOptions = {}): AsyncGenerator<Entry[]> {
  if (root === null) return;
  const limit = opts.prefetchItems ?? 65536;
  // Entries are emitted when their key is above `after` ('' = from the start).
  const after = opts.afterKey?.toString('hex') ?? '';
  const cache = new Map<string, TrieNode>();

  const syncWalk = (hash: string, depth: number, boundary: boolean, out: Entry[]): void => {
    const n = need(cache, hash);
    if (n.kind === 'leaf') {
      for (const e of n.entries) if (!boundary || keyHexOf(e.itemId) > after) out.push(e);
      return;
    }
    const start = boundary ? hexNibbleAt(after, depth) : 0;
    for (let nib = start; nib < FANOUT; nib++) {
      const c = n.children[nib];
      if (c !== null) syncWalk(c, depth + 1, boundary && nib === start, out);
    }
  };

  async function* visit(hash: string, depth: number, boundary: boolean): AsyncGenerator<Entry[]> {
    const n = await mustLoad(store, cache, hash);
    if (n.count <= limit || n.kind === 'leaf') {
      await loadSubtree(store, hash, cache);
      const out: Entry[] = [];
      syncWalk(hash, depth, boundary, out);
      // The subtree is done: forget it (bounded memory on big tries).
      for (const h of [...subtreeHashes(hash)]) cache.delete(h);
      if (out.length > 0) yield out;
      return;
    }
    const start = boundary ? hexNibbleAt(after, depth) : 0;
    for (let nib = start; nib < FANOUT; nib++) {
      const c = n.children[nib];
      if (c !== null) yield* visit(c, depth + 1, boundary && nib === start);
    }
  }

  function* subtreeHashes(hash: string): Generator<string> {
    const n = cache.get(hash);
    if (!n) return;
    if (n.kind === 'branch') for (const c of n.children) if (c !== null) yield* subtreeHashes(c);
    yield hash;
  }

  yield* visit(root, 0, after !== '');
}

/** Entries under `root` one by one, in key order. */
export async function* iterate(store: NodeStore, root: string | null, opts: IterateOptions = {}): AsyncGenerator<Entry> {
  for await (const batch of iterateBatches(store, root, opts)) yield* batch;
}

/**
 * Exact difference between two roots. Subtrees with the same hash are skipped without being
 * read, so the cost is proportional to the changes (times depth), not to the dataset size.
 * Reads are batched one round trip per level. Results are sorted by item id.
 */
export async function diff(store: NodeStore, rootA: string | null, rootB: string | null): Promise<DiffResult> {
  const out: DiffResult = { added: [], removed: [], changed: [] };
  const cache = new Map<string, TrieNode>();
  // Subtrees only on one side (all added / all removed) and leaf-vs-branch pairs are read
  // whole at the end, all together (one batched read per level).
  const onlyB: string[] = [];
  const onlyA: string[] = [];
  const mixed: [string, string][] = [];
  let level: [string | null, string | null][] = [[rootA, rootB]];
  while (level.length > 0) {
    const wanted = new Set<string>();
    for (const [a, b] of level) {
      if (a === b || a === null || b === null) continue;
      if (!cache.has(a)) wanted.add(a);
      if (!cache.has(b)) wanted.add(b);
    }
    const got = await getNodes(store, [...wanted]);
    for (const h of wanted) {
      const n = got.get(h);
      if (!n) throw new Error(`trie node ${h} is missing from the store`);
      cache.set(h, n);
    }
    const next: typeof level = [];
    for (const [a, b] of level) {
      if (a === b) continue;
      if (a === null) onlyB.push(b as string);
      else if (b === null) onlyA.push(a);
      else {
        const na = need(cache, a);
        const nb = need(cache, b);
        if (na.kind === 'branch' && nb.kind === 'branch') {
          for (let nib = 0; nib < FANOUT; nib++) if (na.children[nib] !== nb.children[nib]) next.push([na.children[nib], nb.children[nib]]);
        } else mixed.push([a, b]);
      }
    }
    level = next;
  }
  await loadSubtrees(store, [...onlyA, ...onlyB, ...mixed.flat()], cache);
  for (const h of onlyB) entriesOf(cache, h, out.added);
  for (const h of onlyA) entriesOf(cache, h, out.removed);
  // A leaf against a branch (the subtree grew past or shrank below a bucket): compare entries.
  for (const [a, b] of mixed) {
    const ea = new Map(entriesOf(cache, a).map((e) => [e.itemId, e.recordHash]));
    for (const e of entriesOf(cache, b)) {
      const before = ea.get(e.itemId);
      if (before === undefined) out.added.push(e);
      else if (before !== e.recordHash) out.changed.push({ itemId: e.itemId, before, after: e.recordHash });
      ea.delete(e.itemId);
    }
    for (const [itemId, recordHash] of ea) out.removed.push({ itemId, recordHash });
  }
  const byId = (x: { itemId: string }, y: { itemId: string }) => (x.itemId < y.itemId ? -1 : x.itemId > y.itemId ? 1 : 0);
  out.added.sort(byId);
  out.removed.sort(byId);
  out.changed.sort(byId);
  return out;
}

/**
 * Checks that the trie at `root` is well formed and canonical: every hash matches its bytes,
 * leaves hold at most BUCKET_SIZE entries in key order on the right path, branches hold more,
 * and counts add up. Throws on the first problem; returns the item count.
 */
export async function verify(store: NodeStore, root: string | null): Promise<number> {
  if (root === null) return 0;
  const nodes = await loadSubtree(store, root);
  const walk = (hash: string, depth: number, prefix: number[]): number => {
    const n = need(nodes, hash);
    if (hashBytes(encodeNode(n)) !== hash) throw new Error(`node ${hash}: hash does not match its content`);
    if (n.kind === 'leaf') {
      if (n.count !== n.entries.length) throw new Error(`leaf ${hash}: count ${n.count} != ${n.entries.length} entries`);
      if (n.count === 0) throw new Error(`leaf ${hash}: empty`);
      if (n.count > BUCKET_SIZE && depth < MAX_DEPTH) throw new Error(`leaf ${hash}: ${n.count} entries exceed the bucket`);
      let prev: string | undefined;
      for (const e of n.entries) {
        const k = keyHexOf(e.itemId);
        prefix.forEach((nib, d) => {
          if (hexNibbleAt(k, d) !== nib) throw new Error(`leaf ${hash}: ${e.itemId} is on the wrong path`);
        });
        if (prev !== undefined && prev >= k) throw new Error(`leaf ${hash}: entries not in key order`);
        prev = k;
      }
      return n.count;
    }
    let sum = 0;
    n.children.forEach((c, nib) => {
      if (c !== null) sum += walk(c, depth + 1, [...prefix, nib]);
    });
    if (sum !== n.count) throw new Error(`branch ${hash}: count ${n.count} != ${sum} below it`);
    if (n.count <= BUCKET_SIZE) throw new Error(`branch ${hash}: ${n.count} items should be a leaf`);
    return sum;
  };
  return walk(root, 0, []);
}
