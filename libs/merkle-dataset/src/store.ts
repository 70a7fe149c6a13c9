import type { StoredNode, TrieNode } from './node';

/**
 * Where trie nodes live. Nodes are immutable and content-addressed, so `putMany` is
 * insert-if-absent and a node, once written, never changes.
 */
export interface NodeStore {
  get(hash: string): Promise<TrieNode | undefined>;
  /** Batch read (one round trip for many nodes); missing hashes are absent from the map. */
  getMany?(hashes: string[]): Promise<Map<string, TrieNode>>;
  putMany(nodes: StoredNode[]): Promise<void>;
}

/** Reads many nodes through `getMany` when the store has it, else one by one. */
export async function getNodes(store: NodeStore, hashes: string[]): Promise<Map<string, TrieNode>> {
  if (hashes.length === 0) return new Map();
  if (store.getMany) return store.getMany(hashes);
  const out = new Map<string, TrieNode>();
  for (const h of hashes) {
    const n = await store.get(h);
    if (n) out.set(h, n);
  }
  return out;
}

/** A NodeStore in memory (tests, benchmarks, tools). */
export class MemoryNodeStore implements NodeStore {
  private readonly nodes = new Map<string, TrieNode>();
  /** Bytes of all stored nodes (the size a persistent store would hold). */
  bytes = 0;
  /** Nodes written by putMany that were new. */
  writes = 0;

  get size(): number {
    return this.nodes.size;
  }

  async get(hash: string): Promise<TrieNode | undefined> {
    return this.nodes.get(hash);
  }

  async getMany(hashes: string[]): Promise<Map<string, TrieNode>> {
    const out = new Map<string, TrieNode>();
    for (const h of hashes) {
      const n = this.nodes.get(h);
      if (n) out.set(h, n);
    }
    return out;
  }

  async putMany(nodes: StoredNode[]): Promise<void> {
    for (const n of nodes) {
      if (this.nodes.has(n.hash)) continue;
      this.nodes.set(n.hash, n.node);
      this.bytes += n.bytes.length;
      this.writes++;
    }
  }
}
