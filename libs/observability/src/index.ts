export * from './telemetry';
export * from './tracing';
export * from './metrics';
export * from './logger';
