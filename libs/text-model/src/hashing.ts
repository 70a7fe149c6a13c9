/**
 * Feature hashing ("hashing trick") of token lists into a fixed-size sparse vector.
 */
import { tokenize, type TokenizeOptions } from './tokenize';

/** Default number of hash bits: 2^18 = 262 144 buckets. */
export const DEFAULT_HASH_BITS = 18;

/**
 * A sparse vector: strictly increasing bucket `indices` and their `values` (same length).
 */
export interface SparseVector {
  /** Strictly increasing bucket indices. */
  readonly indices: Int32Array;
  /** Value of each bucket in {@link SparseVector.indices}. */
  readonly values: Float64Array;
}

/**
 * 32-bit FNV-1a hash of a string's UTF-16 code units (unsigned result).
 * @param s - input string.
 * @param seed - offset basis (default the standard 2166136261).
 */
export function fnv1a32(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * MurmurHash3's 32-bit finaliser (fmix32): a bijective avalanche mix of an unsigned 32-bit integer.
 * @param x - integer (reduced to 32 bits).
 */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Options for {@link hashTokens} and {@link featurize}. */
export interface HashingOptions extends TokenizeOptions {
  /** log2 of the number of buckets, 1..24 (default {@link DEFAULT_HASH_BITS}). */
  hashBits?: number;
}

/**
 * Hash tokens into buckets and build the document's term-frequency vector:
 * bucket = fmix32(FNV-1a(token)) mod 2^hashBits, value = 1 + ln(count) (sublinear TF), then the
 * vector is scaled to unit L2 norm. An empty token list gives the empty vector.
 * @param tokens - tokens, e.g. from {@link tokenize}.
 * @param hashBits - log2 of the number of buckets.
 */
export function hashTokens(tokens: readonly string[], hashBits = DEFAULT_HASH_BITS): SparseVector {
  if (!(Number.isInteger(hashBits) && hashBits >= 1 && hashBits <= 24)) {
    throw new RangeError(`hashTokens: hashBits must be an integer in 1..24, got ${hashBits}`);
  }
  const mask = (1 << hashBits) - 1;
  const counts = new Map<number, number>();
  for (const t of tokens) {
    const b = fmix32(fnv1a32(t)) & mask;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const indices = Int32Array.from(counts.keys()).sort();
  const values = new Float64Array(indices.length);
  let norm2 = 0;
  for (let i = 0; i < indices.length; i++) {
    const v = 1 + Math.log(counts.get(indices[i]) as number);
    values[i] = v;
    norm2 += v * v;
  }
  if (norm2 > 0) {
    const inv = 1 / Math.sqrt(norm2);
    for (let i = 0; i < values.length; i++) values[i] *= inv;
  }
  return { indices, values };
}

/**
 * Tokenize and hash a text: `hashTokens(tokenize(text, options), options.hashBits)`.
 * @param text - document text.
 * @param options - tokenizer and hashing options.
 */
export function featurize(text: string, options: HashingOptions = {}): SparseVector {
  return hashTokens(tokenize(text, options), options.hashBits ?? DEFAULT_HASH_BITS);
}
