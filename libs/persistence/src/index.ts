export * from './data-source';
export * from './messaging-tables.migration';
export * from './inbox-chunk.migration';
export * from './outbox-parking.migration';
export { DataSource, EntityManager, QueryRunner } from 'typeorm';
export * from './query-rows';
export * from './audit-log';
export * from './audit-log.migration';
