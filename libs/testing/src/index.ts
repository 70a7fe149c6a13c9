export * from './infra';
export * from './kafka-helpers';
export * from './service-process';
export * from './otlp-receiver';
export * from './database';
export * from './group-offsets';
export * from './audit';
export * from './chat-completions-server';
