import { createHash } from 'node:crypto';

/**
 * Format v1 of the trie. These constants are part of every root hash: changing any of them
 * changes every dataset version id (a test pins one root to catch that).
 */
export const FANOUT = 16;
/** A node holding at most this many items is a leaf bucket; more, and it is a branch. */
export const BUCKET_SIZE = 16;
/** Nibbles in a sha256 key: a path can never be longer. */
export const MAX_DEPTH = 64;

const TAG_LEAF = 0x01;
const TAG_BRANCH = 0x02;
/** Length marker of a record hash stored as 32 raw bytes (odd, so never a UTF-8 length × 2). */
const RAW_HASH = 65;
const HEX64 = /^[0-9a-f]{64}$/;

/** One (item id → record hash) pair. */
export interface Entry {
  itemId: string;
  recordHash: string;
}

/** A leaf bucket: up to BUCKET_SIZE entries, ordered by the sha256 of their item id. */
export interface LeafNode {
  kind: 'leaf';
  count: number;
  entries: Entry[];
}

/** A branch: FANOUT child slots (hash or null) indexed by the key nibble at this depth. */
export interface BranchNode {
  kind: 'branch';
  /** Items in the whole subtree. */
  count: number;
  children: (string | null)[];
}

export type TrieNode = LeafNode | BranchNode;

/** A node with its canonical bytes and content address. */
export interface StoredNode {
  hash: string;
  node: TrieNode;
  bytes: Buffer;
}

/** The path key of an item: sha256 of its id (uniformly spread, so the trie stays balanced). */
export function keyOf(itemId: string): Buffer {
  return createHash('sha256').update(itemId, 'utf8').digest();
}

/** The path key as lower-case hex (64 chars): compares and indexes faster than a Buffer. */
export function keyHexOf(itemId: string): string {
  return createHash('sha256').update(itemId, 'utf8').digest('hex');
}

/** Nibble `depth` (0 = high nibble of byte 0) of a key. */
export function nibbleAt(key: Buffer, depth: number): number {
  const b = key[depth >> 1];
  return depth & 1 ? b & 0x0f : b >> 4;
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

/** Nibble `depth` of a hex key. */
export function hexNibbleAt(keyHex: string, depth: number): number {
  return HEX[keyHex.charCodeAt(depth)];
}

function readVarint(buf: Buffer, pos: { i: number }): number {
  let n = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos.i++];
    if (b === undefined) throw new Error('truncated trie node');
    n += (b & 0x7f) * mul;
    if (b < 0x80) return n;
    mul *= 128;
  }
}

/**
 * Canonical bytes of a node (format v1):
 *  - leaf:   0x01, varint count, then per entry (in key order): varint len + item id (UTF-8),
 *            then the record hash: a 64-char lower-case hex hash as varint(65) + its 32 raw
 *            bytes, any other string as varint(2 × len) + its UTF-8 bytes;
 *  - branch: 0x02, varint count, uint16 big-endian bitmap of present children, then the
 *            32-byte hash of each present child in nibble order.
 */
export function encodeNode(node: TrieNode): Buffer {
  if (node.kind === 'leaf') {
    let size = 1 + varintSize(node.entries.length);
    const lens: number[] = [];
    for (const e of node.entries) {
      const il = Buffer.byteLength(e.itemId, 'utf8');
      const hl = HEX64.test(e.recordHash) ? -1 : Buffer.byteLength(e.recordHash, 'utf8');
      lens.push(il, hl);
      size += varintSize(il) + il + (hl < 0 ? 1 + 32 : varintSize(2 * hl) + hl);
    }
    const out = Buffer.allocUnsafe(size);
    let o = 0;
    out[o++] = TAG_LEAF;
    o = putVarint(out, o, node.entries.length);
    node.entries.forEach((e, i) => {
      o = putVarint(out, o, lens[2 * i]);
      o += out.write(e.itemId, o, 'utf8');
      const hl = lens[2 * i + 1];
      if (hl < 0) {
        out[o++] = RAW_HASH;
        o += out.write(e.recordHash, o, 'hex');
      } else {
        o = putVarint(out, o, 2 * hl);
        o += out.write(e.recordHash, o, 'utf8');
      }
    });
    return out;
  }
  if (node.children.length !== FANOUT) throw new Error(`branch needs ${FANOUT} child slots`);
  const present = node.children.filter((c) => c !== null).length;
  const out = Buffer.allocUnsafe(1 + varintSize(node.count) + 2 + 32 * present);
  let o = 0;
  out[o++] = TAG_BRANCH;
  o = putVarint(out, o, node.count);
  let bitmap = 0;
  node.children.forEach((c, i) => {
    if (c !== null) bitmap |= 1 << (FANOUT - 1 - i);
  });
  out[o++] = (bitmap >> 8) & 0xff;
  out[o++] = bitmap & 0xff;
  for (const c of node.children) {
    if (c === null) continue;
    if (c.length !== 64 || out.write(c, o, 'hex') !== 32) throw new Error(`bad child hash ${c}`);
    o += 32;
  }
  return out;
}

function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

function putVarint(out: Buffer, o: number, n: number): number {
  while (n >= 0x80) {
    out[o++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[o++] = n;
  return o;
}

/** Parses canonical bytes back into a node. */
export function decodeNode(bytes: Buffer): TrieNode {
  const pos = { i: 1 };
  if (bytes[0] === TAG_LEAF) {
    const n = readVarint(bytes, pos);
    const entries: Entry[] = [];
    for (let k = 0; k < n; k++) {
      const il = readVarint(bytes, pos);
      const itemId = bytes.toString('utf8', pos.i, pos.i + il);
      pos.i += il;
      const h = readVarint(bytes, pos);
      let recordHash: string;
      if (h === RAW_HASH) {
        recordHash = bytes.toString('hex', pos.i, pos.i + 32);
        pos.i += 32;
      } else {
        if (h % 2 !== 0) throw new Error(`bad record hash length ${h}`);
        recordHash = bytes.toString('utf8', pos.i, pos.i + h / 2);
        pos.i += h / 2;
      }
      entries.push({ itemId, recordHash });
    }
    return { kind: 'leaf', count: n, entries };
  }
  if (bytes[0] === TAG_BRANCH) {
    const count = readVarint(bytes, pos);
    const bitmap = (bytes[pos.i] << 8) | bytes[pos.i + 1];
    pos.i += 2;
    const children: (string | null)[] = [];
    for (let i = 0; i < FANOUT; i++) {
      if (bitmap & (1 << (FANOUT - 1 - i))) {
        children.push(bytes.toString('hex', pos.i, pos.i + 32));
        pos.i += 32;
      } else children.push(null);
    }
    return { kind: 'branch', count, children };
  }
  throw new Error(`unknown trie node tag ${bytes[0]}`);
}

/** Content address of canonical node bytes (hex sha256). */
export function hashBytes(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Encodes and addresses a node. */
export function storeNode(node: TrieNode): StoredNode {
  const bytes = encodeNode(node);
  return { hash: hashBytes(bytes), node, bytes };
}
