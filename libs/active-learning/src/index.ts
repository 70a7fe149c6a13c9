/**
 * @labelloop/active-learning — pure selection strategies for an annotation sampler (no I/O):
 * uncertainty scores, top-k / seeded random selection, class-balanced selection, k-center greedy
 * core-sets, an uncertainty + diversity hybrid, near-duplicate filtering and a labelling budget.
 */
export * from './budget';
export * from './class-balance';
export * from './hybrid';
export * from './k-center';
export * from './near-duplicate';
export * from './scores';
export * from './select';
