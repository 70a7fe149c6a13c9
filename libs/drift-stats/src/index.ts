/**
 * @labelloop/drift-stats — pure statistical building blocks for drift detection (no I/O).
 * Numeric results match SciPy where SciPy has the method; see each function's documentation.
 */
export * from './binning';
export * from './cbpe';
export * from './chi-square';
export * from './descriptive';
export * from './fixed-bin-histogram';
export * from './isotonic';
export * from './jensen-shannon';
export * from './kolmogorov-distribution';
export * from './ks-two-sample';
export * from './mmd';
export * from './multiple-testing';
export * from './prng';
export * from './psi';
export * from './reservoir';
export * from './wasserstein';
