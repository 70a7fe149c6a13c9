/**
 * Deterministic hashed random-projection text embeddings.
 */
import { featurize, fmix32, type HashingOptions, type SparseVector } from './hashing';

/** Default embedding dimension. */
export const DEFAULT_EMBEDDING_DIMS = 32;

/**
 * Project a hashed TF vector onto `dims` random ±1 directions and scale the result to unit L2 norm.
 *
 * The projection matrix R (buckets × dims) is never stored: entry R[b][d] is +1 or −1 according to
 * one bit of fmix32(b · ⌈dims/32⌉ + block + seed·0x9e3779b9) (block = ⌊d/32⌋, bit = d mod 32), i.e. an
 * Achlioptas-style sparse-free signed random projection, which approximately preserves cosine
 * similarity between documents. Deterministic: same vector, dims and seed ⇒ same embedding.
 * The empty vector maps to the zero vector.
 * @param x - hashed TF vector (e.g. from {@link featurize}).
 * @param dims - output dimension, a positive integer (default 32).
 * @param seed - selects the projection (default 0).
 */
export function projectSparse(x: SparseVector, dims = DEFAULT_EMBEDDING_DIMS, seed = 0): Float64Array {
  if (!(Number.isInteger(dims) && dims > 0)) throw new RangeError(`embed: dims must be a positive integer, got ${dims}`);
  const out = new Float64Array(dims);
  const blocks = Math.ceil(dims / 32);
  const salt = Math.imul(seed >>> 0, 0x9e3779b9) >>> 0;
  for (let i = 0; i < x.indices.length; i++) {
    const v = x.values[i];
    const base = x.indices[i] * blocks;
    for (let blk = 0; blk < blocks; blk++) {
      const bits = fmix32((base + blk + salt) >>> 0);
      const lo = blk * 32;
      const hi = Math.min(dims, lo + 32);
      for (let d = lo; d < hi; d++) out[d] += (bits >>> (d - lo)) & 1 ? v : -v;
    }
  }
  let n2 = 0;
  for (let d = 0; d < dims; d++) n2 += out[d] * out[d];
  if (n2 > 0) {
    const inv = 1 / Math.sqrt(n2);
    for (let d = 0; d < dims; d++) out[d] *= inv;
  }
  return out;
}

/**
 * Embed a text: {@link featurize} it (lowercase tokens hashed into 2^hashBits buckets, sublinear
 * TF, unit norm) and apply {@link projectSparse}. Unit L2 norm (zero vector for a text without tokens).
 * @param text - document text.
 * @param dims - output dimension (default 32).
 * @param options - hashing options and the projection `seed` (default 0).
 */
export function embed(text: string, dims = DEFAULT_EMBEDDING_DIMS, options: HashingOptions & { seed?: number } = {}): Float64Array {
  return projectSparse(featurize(text, options), dims, options.seed ?? 0);
}
