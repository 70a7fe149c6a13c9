export * from './tokens';
export * from './run-service';
export * from './readiness';
export * from './health.controller';
