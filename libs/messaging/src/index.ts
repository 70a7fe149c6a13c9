export * from './envelope';
export * from './errors';
export * from './kafka-client';
export * from './outbox';
export * from './outbox-relay';
export * from './event-consumer';
export * from './backoff';
