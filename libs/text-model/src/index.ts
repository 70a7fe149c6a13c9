/**
 * @labelloop/text-model — a plain, dependency-free text classifier (hashed bag of words +
 * softmax regression trained with seeded Adagrad), deterministic hashed random-projection
 * embeddings, and a loader for the SpamAssassin public corpus.
 */
export * from './embedding';
export * from './hashing';
export * from './softmax-regression';
export * from './spam-assassin';
export * from './text-classifier';
export * from './tokenize';
export * from './model-store';
