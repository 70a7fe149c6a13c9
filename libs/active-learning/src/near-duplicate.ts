/**
 * Near-duplicate detection by cosine similarity of embeddings.
 */

/**
 * Cosine similarity a·b / (‖a‖‖b‖); 0 when either vector is all zeros.
 * @param a - vector.
 * @param b - vector of the same dimension.
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`cosineSimilarity: dimensions differ (${a.length} vs ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** Result of {@link mostSimilar}. */
export interface MostSimilar {
  /** Index of the most similar vector in the list, or -1 for an empty list. */
  index: number;
  /** Its cosine similarity (-Infinity for an empty list). */
  similarity: number;
}

/**
 * The vector of `others` most cosine-similar to `embedding` (ties: lower index).
 * @param embedding - query vector.
 * @param others - vectors to compare with.
 */
export function mostSimilar(embedding: ArrayLike<number>, others: ReadonlyArray<ArrayLike<number>>): MostSimilar {
  let index = -1;
  let similarity = -Infinity;
  others.forEach((o, i) => {
    const s = cosineSimilarity(embedding, o);
    if (s > similarity) {
      similarity = s;
      index = i;
    }
  });
  return { index, similarity };
}

/**
 * Whether `embedding` is a near-duplicate of any recent one: some cosine similarity ≥ `threshold`.
 * Use it to skip an item whose near-copy was just sent for labelling.
 * @param embedding - the new item's embedding.
 * @param recentEmbeddings - embeddings of recently selected items.
 * @param threshold - similarity threshold in [-1, 1] (e.g. 0.95).
 */
export function nearDuplicate(embedding: ArrayLike<number>, recentEmbeddings: ReadonlyArray<ArrayLike<number>>, threshold: number): boolean {
  if (!(threshold >= -1 && threshold <= 1)) throw new RangeError(`nearDuplicate: threshold must be in [-1, 1], got ${threshold}`);
  for (const r of recentEmbeddings) if (cosineSimilarity(embedding, r) >= threshold) return true;
  return false;
}
