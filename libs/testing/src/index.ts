export * from './infra';
export * from './kafka-helpers';
