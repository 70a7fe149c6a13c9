export * from './tokens';
export * from './run-service';
export * from './readiness';
export * from './health.controller';
export * from './audit-head-publisher';
export * from './consumes.decorator';
export * from './kafka-inbox.transport';
export * from './run-web-service';
