export * from './http';
export * from './labeling-function';
export * from './llm-annotator';
export * from './machine-answer';
export * from './model-annotator';
export * from './rate-limiter';
